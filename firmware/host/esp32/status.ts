// Shared helpers of the ESP32 glue: byte-type conversions at the native boundary. Native functions take any
// buffer (xsmcGetBufferReadable accepts typed arrays) and return ArrayBuffers, which the seam wraps in fresh
// Uint8Arrays the caller owns (firmware/host/crypto.ts contract: never shared buffers).

export function bytes(result: ArrayBuffer): Uint8Array {
  return new Uint8Array(result);
}

/** Native functions answer an ArrayBuffer on success or a negative status number on failure. */
export function isStatus(result: unknown): result is number {
  return typeof result === 'number';
}
