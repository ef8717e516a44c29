// Makes the generated protobuf module (firmware/generated/proto.js) safe to preload under Moddable; used by
// tools/native/prepare-moddable.mjs to write build/moddable/proto.js, which manifest.json maps to the specifier
// "firmware/generated/proto". Why: protobufjs static code puts each field's default on the prototype
// (`SessionData.prototype.secVer = 0`). xsl's preload freezes every prototype, and assigning to a property that a
// frozen prototype holds as a data property throws in strict code (the "override mistake"), so the first decode
// failed ("set secVer: not writable", seen in the SDK's lin simulator). An accessor pair keeps the default readable
// through the prototype and turns a write into an own data property of the message, which is what the original
// assignment produced; `delete message.f` again falls back to the default. Nothing else in the module changes.

const DEFAULT_LINE = /^(\s*)([A-Za-z_$][\w$]*)\.prototype\.([A-Za-z_$][\w$]*) = (.+);$/;
const ANY_PROTOTYPE_ASSIGNMENT = /^\s*[\w$.]+\.prototype\.[\w$]+\s*=/;

const HELPER = `
// Added for the Moddable build by tools/native/moddable/proto-defaults.mjs: field defaults as accessors, so that
// setting a field on a message still works once preload has frozen the prototypes.
const $defaultField = (proto, name, value) => $protobuf.util.global.Object.defineProperty(proto, name, {
    get() { return value; },
    set(v) { $protobuf.util.global.Object.defineProperty(this, name, { value: v, writable: true, enumerable: true, configurable: true }); },
    enumerable: true,
    configurable: true,
});
`;

/**
 * Rewrites every `X.prototype.field = default;` statement of the generated module into a `$defaultField` call.
 * Throws when the module does not have the expected shape (so a generator change cannot slip through).
 * @param {string} source the generated module
 * @returns {{ code: string, fields: number }}
 */
export function makeOverrideSafe(source) {
  const lines = source.split('\n');
  let fields = 0;
  let seen = 0;
  const out = lines.map((line) => {
    if (ANY_PROTOTYPE_ASSIGNMENT.test(line)) seen++;
    const m = DEFAULT_LINE.exec(line);
    if (!m || /^function\b|^\(?\s*function\b|=>/.test(m[4])) return line;
    fields++;
    return `${m[1]}$defaultField(${m[2]}.prototype, ${JSON.stringify(m[3])}, ${m[4]});`;
  });
  if (seen !== fields) throw new Error(`proto-defaults: ${seen - fields} prototype assignment(s) of an unexpected form`);
  if (fields === 0) throw new Error('proto-defaults: no field defaults found; has the generator output changed?');
  const imp = out.findIndex((l) => /^import \$protobuf from /.test(l));
  if (imp < 0) throw new Error('proto-defaults: the `import $protobuf` line is missing');
  out.splice(imp + 1, 0, HELPER);
  return { code: out.join('\n'), fields };
}
