// Wire encoding between the firmware in the xsnap worker (firmware/host/xsnap) and the Node side
// (tools/sim/xs-bridge.ts); both import this file. A frame is
//   [4-byte big-endian length N] [N bytes of UTF-8 JSON] [blob region: the bytes of every Uint8Array, concatenated]
// The JSON is {"v": value}, with tagged objects for what JSON cannot carry:
//   {"$b":[offset,length]}  a Uint8Array (Node Buffers too): bytes at that place in the blob region, copied out
//                           on decode so the receiver owns them (byte-exact; no hex/base64 cost on XS);
//   {"$u":0}                undefined (kept in arrays and as explicit argument/return values);
//   {"$n":"NaN"|"Infinity"|"-Infinity"|"-0"}  numbers JSON cannot carry;
//   {"$e":{"name","code","message"}}     an Error; host error classes are rebuilt as the same class and code.
// Keys "$b", "$u", "$n" and "$e" are therefore reserved: no seam type in firmware/host uses them.
import { CryptoHostError } from '../crypto';
import { NvsError, type NvsErrorCode } from '../nvs';
import { SocketError, type SocketErrorCode } from '../socket';
import { WifiHostError, type WifiScanErrorCode } from '../wifi';

// TextEncoder/TextDecoder exist in xsnap-worker and in Node; this file runs only there (not on the chip).
declare const TextEncoder: { new (): { encode(text: string): Uint8Array } };
declare const TextDecoder: { new (): { decode(data: Uint8Array): string } };

export interface EncodedError {
  name: string;
  code?: string;
  message: string;
}

export function encodeError(error: unknown): EncodedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string'
      ? { name: error.name, code, message: error.message }
      : { name: error.name, message: error.message };
  }
  return { name: 'Error', message: String(error) };
}

/** Rebuilds the error: the seam's host error classes with their code, the standard Error classes by name. */
export function decodeError(e: EncodedError): Error {
  const message = String(e.message);
  switch (e.name) {
    case 'CryptoHostError':
      return new CryptoHostError(e.code as 'INVALID_ARGUMENT' | 'INTERNAL' | 'CLOSED', message);
    case 'NvsError':
      return new NvsError(e.code as NvsErrorCode, message);
    case 'SocketError':
      return new SocketError(e.code as SocketErrorCode, message);
    case 'WifiHostError':
      return new WifiHostError(e.code as WifiScanErrorCode, message);
    case 'RangeError':
      return new RangeError(message);
    case 'TypeError':
      return new TypeError(message);
    case 'SyntaxError':
      return new SyntaxError(message);
    default: {
      const error = new Error(message);
      if (e.name && e.name !== 'Error') error.name = String(e.name);
      if (e.code !== undefined) (error as Error & { code?: string }).code = String(e.code);
      return error;
    }
  }
}

function isReserved(v: Record<string, unknown>): boolean {
  return '$b' in v || '$u' in v || '$n' in v || '$e' in v;
}

export function encodeValue(value: unknown): Uint8Array {
  const blobs: Uint8Array[] = [];
  let blobBytes = 0;
  function replacer(this: Record<string, unknown>, key: string, v: unknown): unknown {
    // Read the holder's original value: JSON.stringify has already applied a toJSON (Node's Buffer has one) to `v`.
    const original = this[key];
    if (original instanceof Uint8Array) {
      blobs.push(original);
      blobBytes += original.length;
      return { $b: [blobBytes - original.length, original.length] };
    }
    if (original === undefined) return { $u: 0 };
    if (typeof original === 'number' && (!Number.isFinite(original) || Object.is(original, -0))) {
      return { $n: Object.is(original, -0) ? '-0' : String(original) };
    }
    if (original instanceof Error) return { $e: encodeError(original) };
    if (typeof original === 'bigint' || typeof original === 'function' || typeof original === 'symbol') {
      throw new TypeError(`xsnap codec: cannot encode a ${typeof original} (key "${key}")`);
    }
    if (original !== null && typeof original === 'object' && !Array.isArray(original) && isReserved(original as Record<string, unknown>)) {
      throw new TypeError(`xsnap codec: object with a reserved $ key (key "${key}")`);
    }
    return v;
  }
  const json = new TextEncoder().encode(JSON.stringify({ v: value }, replacer));
  const out = new Uint8Array(4 + json.length + blobBytes);
  out[0] = json.length >>> 24;
  out[1] = (json.length >>> 16) & 0xff;
  out[2] = (json.length >>> 8) & 0xff;
  out[3] = json.length & 0xff;
  out.set(json, 4);
  let offset = 4 + json.length;
  for (const blob of blobs) {
    out.set(blob, offset);
    offset += blob.length;
  }
  return out;
}

export function decodeValue(frame: Uint8Array): unknown {
  if (frame.length < 4) throw new SyntaxError('xsnap codec: frame shorter than its header');
  const jsonLength = ((frame[0] << 24) | (frame[1] << 16) | (frame[2] << 8) | frame[3]) >>> 0;
  if (4 + jsonLength > frame.length) throw new SyntaxError('xsnap codec: JSON length past the end of the frame');
  const blobs = frame.subarray(4 + jsonLength);
  const reviver = (_key: string, value: unknown): unknown => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.$b)) {
      const [offset, length] = v.$b as number[];
      if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > blobs.length) {
        throw new SyntaxError('xsnap codec: byte string outside the blob region');
      }
      return blobs.slice(offset, offset + length);
    }
    if ('$u' in v) return undefined;
    if (typeof v.$n === 'string') return v.$n === '-0' ? -0 : Number(v.$n);
    if (v.$e !== null && typeof v.$e === 'object') return decodeError(v.$e as EncodedError);
    return value;
  };
  const wrapper = JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + jsonLength)), reviver) as { v?: unknown };
  return wrapper.v;
}
