// Ambient typings for the XS native-binding API used by the ESP32 glue (moddable-xs.md §2 "Declaring host
// functions"): a class extends Native("<C destructor>") and calls native("<C function>").call(this, ...args).
// xsc turns these calls into host-function bindings (same bytecode as the `@` syntax). The Moddable SDK's
// xs/includes/xs.d.ts declares the same two globals; this file is for the project's own typecheck and is not
// listed in manifest.json (mcconfig uses the SDK's declaration). Only XS 17 (Moddable SDK 8) has them; the
// @agoric/xsnap engine (XS 13.3) does not, which is why nothing outside firmware/host/esp32 may use them.

/** Base class whose instances carry C host data freed by the named destructor. */
declare function Native(destructor: string): { new (): object };
/** The C host function `name`, called with the receiver and arguments given to `.call`. */
declare function native(name: string): (...args: any[]) => any;
