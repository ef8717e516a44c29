// OpenRemote-style 22-character base62 ids (openremote.md §1.2 asset_id, §4.5 ASSET_ID_REGEXP ^[0-9A-Za-z]{22}$).
// OpenRemote derives provisioned asset ids from a name-based UUID (UniqueIdentifierGenerator.generateId(String),
// §4.9); we do the same (MD5 name-based, version 3, like Java's UUID.nameUUIDFromBytes) so ids are deterministic.
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const ASSET_ID_RE = /^[0-9A-Za-z]{22}$/;

/** 128 bits → 22 base62 digits, most significant first, zero-padded (62^22 > 2^128, so it always fits). */
export function base62Of128(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError('base62Of128 needs 16 bytes');
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(22, '0');
}

/** Deterministic id from a name (version-3 UUID bits, then base62). */
export function nameBasedId(name: string): string {
  const md5 = createHash('md5').update(name, 'utf8').digest();
  md5[6] = (md5[6]! & 0x0f) | 0x30; // version 3
  md5[8] = (md5[8]! & 0x3f) | 0x80; // IETF variant
  return base62Of128(md5);
}

/** A random id of the same shape (used for opaque bearer tokens' prefix-free form). */
export function randomId(): string {
  return base62Of128(randomBytes(16));
}
