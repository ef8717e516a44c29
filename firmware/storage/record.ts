// One CRC-protected blob record under one NVS key: the all-or-nothing storage firmware/host/nvs.ts asks for (one
// set is atomic, several are not). Shared by the Wi-Fi credentials (provisioning/credentials.ts, §8.8) and the
// OpenRemote config (openremote/config-store.ts, openremote.md §5): each owns its layout and its errors; this
// module owns the NVS open/close discipline, the read-back check and the CRC-32 trailer.
import type { NvsHost, NvsNamespace } from '../host/nvs';
import { NvsError } from '../host/nvs';
import { crc32 } from '../provisioning/crc32';
import { equal } from '../util/bytes';

/** Bytes of the CRC-32 trailer (IEEE, little-endian) that ends every record. */
export const CRC_TRAILER = 4;

/** Writes the CRC-32 of record[0, body) little-endian into record[body, body + 4). */
export function sealRecord(record: Uint8Array, body: number): void {
  const crc = crc32(record.subarray(0, body));
  record[body] = crc & 0xff;
  record[body + 1] = (crc >>> 8) & 0xff;
  record[body + 2] = (crc >>> 16) & 0xff;
  record[body + 3] = (crc >>> 24) & 0xff;
}

/** True when the last 4 bytes are the CRC-32 of every byte before them (the caller checked the length). */
export function recordCrcMatches(record: Uint8Array): boolean {
  const body = record.length - CRC_TRAILER;
  const stored = (record[body] | (record[body + 1] << 8) | (record[body + 2] << 16) | (record[body + 3] << 24)) >>> 0;
  return crc32(record.subarray(0, body)) === stored;
}

export type RecordRead =
  | { status: 'found'; blob: Uint8Array }
  | { status: 'absent' | 'corrupt' }
  | { status: 'storage-error'; error: unknown };

/** Reads the blob under namespace/key; never throws. A blob written under another type reads as TYPE_MISMATCH:
 * that is a corrupt record, not a storage failure. */
export function readRecord(nvs: NvsHost, namespace: string, key: string): RecordRead {
  let handle: NvsNamespace | undefined;
  try {
    handle = nvs.open(namespace, 'readonly');
    const blob = handle.getBlob(key);
    return blob === undefined ? { status: 'absent' } : { status: 'found', blob };
  } catch (error) {
    if (error instanceof NvsError && error.code === 'TYPE_MISMATCH') return { status: 'corrupt' };
    return { status: 'storage-error', error };
  } finally {
    closeQuietly(handle);
  }
}

/** One atomic set + commit + read-back. Returns false when the read-back differs; NVS errors are thrown. */
export function writeRecord(nvs: NvsHost, namespace: string, key: string, record: Uint8Array): boolean {
  let handle: NvsNamespace | undefined;
  try {
    handle = nvs.open(namespace, 'readwrite');
    // The host gets its own copy: a simulator may keep the array it is given, and the caller wipes its own.
    handle.setBlob(key, new Uint8Array(record));
    handle.commit();
    const back = handle.getBlob(key);
    return back !== undefined && equal(back, record);
  } finally {
    closeQuietly(handle);
  }
}

/** One atomic erase of the record, then commit; an absent record is fine. NVS errors are thrown. */
export function eraseRecord(nvs: NvsHost, namespace: string, key: string): void {
  let handle: NvsNamespace | undefined;
  try {
    handle = nvs.open(namespace, 'readwrite');
    if (hasEntry(handle, key)) handle.erase(key);
    handle.commit();
  } finally {
    closeQuietly(handle);
  }
}

/** A short description of a storage failure for a log line or an error message (never a stored value). */
export function describeNvsError(e: unknown): string {
  if (e instanceof NvsError) return `NVS ${e.code}`;
  if (e instanceof Error) return e.message;
  return String(e);
}

function hasEntry(handle: NvsNamespace, key: string): boolean {
  try {
    return handle.getBlob(key) !== undefined;
  } catch (e) {
    // An entry of another type under our key is still ours to erase.
    if (e instanceof NvsError && e.code === 'TYPE_MISMATCH') return true;
    throw e;
  }
}

function closeQuietly(handle: NvsNamespace | undefined): void {
  try {
    handle?.close();
  } catch {
    // A dead handle (power loss) cannot be closed; nothing else to do.
  }
}
