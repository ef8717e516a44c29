// Typing of proto-defaults.mjs (the Moddable build's override-safe variant of the generated protobuf module).
export declare function makeOverrideSafe(source: string): { code: string; fields: number };
