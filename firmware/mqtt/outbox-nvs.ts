// Flash-backed OutboxStore over the NVS seam (firmware/host/nvs.ts): the whole QoS 1 queue as ONE blob, so a power
// cut leaves either the previous or the new queue, never a mix (NVS: each set is atomic on its own).
// Trade-off: two blob writes per QoS 1 message (enqueue and PUBACK); keep the outbox small (NVS spreads wear over
// its pages, but a 4 KB blob fills most of a page). Entries are restored unsent (no packet id): a reboot always
// starts a new clean session.
import { NvsError, type NvsHost } from '../host/nvs';
import { utf8Encode } from '../util/bytes';
import type { Logger } from '../util/log';
import type { OutboxEntry, OutboxStore } from './outbox';
import { decodeString } from './strings';

const FORMAT = 1;
/** NVS blob bound of the seam contract. */
const MAX_BLOB = 4000;

export interface NvsOutboxStoreOptions {
  nvs: NvsHost;
  logger: Logger;
  /** NVS namespace and key (1..15 bytes each). Defaults "mqtt" / "outbox". */
  namespace?: string;
  key?: string;
}

/** Serialises entries, newest kept when they do not all fit (the same choice as the drop-oldest policy). */
export function encodeOutbox(entries: readonly OutboxEntry[], maxBytes = MAX_BLOB): { blob: Uint8Array; omitted: number } {
  const parts: Uint8Array[] = [];
  let size = 3;
  let kept = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    const topic = utf8Encode(e.topic);
    if (topic.length > 0xffff || e.payload.length > 0xffff) continue;
    const rec = new Uint8Array(4 + 1 + 2 + topic.length + 2 + e.payload.length);
    const v = new DataView(rec.buffer);
    v.setUint32(0, e.seq);
    rec[4] = e.retain ? 1 : 0;
    v.setUint16(5, topic.length);
    rec.set(topic, 7);
    v.setUint16(7 + topic.length, e.payload.length);
    rec.set(e.payload, 9 + topic.length);
    if (size + rec.length > maxBytes) break;
    parts.unshift(rec);
    size += rec.length;
    kept++;
  }
  const blob = new Uint8Array(size);
  blob[0] = FORMAT;
  blob[1] = kept >> 8;
  blob[2] = kept & 0xff;
  let off = 3;
  for (const p of parts) {
    blob.set(p, off);
    off += p.length;
  }
  return { blob, omitted: entries.length - kept };
}

/** Parses a blob; undefined if it is not a well-formed format-1 queue. */
export function decodeOutbox(blob: Uint8Array): OutboxEntry[] | undefined {
  if (blob.length < 3 || blob[0] !== FORMAT) return undefined;
  const count = (blob[1] << 8) | blob[2];
  const v = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const out: OutboxEntry[] = [];
  let off = 3;
  for (let i = 0; i < count; i++) {
    if (off + 7 > blob.length) return undefined;
    const seq = v.getUint32(off);
    const flags = blob[off + 4];
    const topicLen = v.getUint16(off + 5);
    if (flags & 0xfe || off + 7 + topicLen + 2 > blob.length) return undefined;
    const topic = decodeString(blob, off + 7, off + 7 + topicLen); // well-formed UTF-8 or the blob is corrupt
    if (topic === undefined) return undefined;
    const payloadLen = v.getUint16(off + 7 + topicLen);
    const start = off + 9 + topicLen;
    if (start + payloadLen > blob.length) return undefined;
    const payload = blob.slice(start, start + payloadLen);
    out.push({ seq, topic, payload, retain: flags === 1, size: topicLen + payloadLen, sent: false });
    off = start + payloadLen;
  }
  return off === blob.length ? out : undefined;
}

export class NvsOutboxStore implements OutboxStore {
  private readonly namespace: string;
  private readonly key: string;
  /** Entries left out of the last snapshot because the blob limit was reached. */
  omitted = 0;

  constructor(private readonly options: NvsOutboxStoreOptions) {
    this.namespace = options.namespace ?? 'mqtt';
    this.key = options.key ?? 'outbox';
  }

  load(): OutboxEntry[] {
    const ns = this.options.nvs.open(this.namespace, 'readwrite');
    try {
      const blob = ns.getBlob(this.key);
      if (!blob) return [];
      const entries = decodeOutbox(blob);
      if (entries) return entries;
      this.options.logger.warn('stored MQTT outbox is corrupt; discarded');
      ns.erase(this.key);
      ns.commit();
      return [];
    } catch (e) {
      // TYPE_MISMATCH from an older firmware, or a flash error: start with an empty queue rather than not at all.
      this.options.logger.warn(`cannot read the stored MQTT outbox: ${e instanceof NvsError ? e.code : String(e)}`);
      return [];
    } finally {
      ns.close();
    }
  }

  save(entries: readonly OutboxEntry[]): void {
    const { blob, omitted } = encodeOutbox(entries);
    this.omitted = omitted;
    const ns = this.options.nvs.open(this.namespace, 'readwrite');
    try {
      if (entries.length === 0) ns.erase(this.key);
      else ns.setBlob(this.key, blob);
      ns.commit();
    } finally {
      ns.close();
    }
  }
}
