// Bounded outgoing QoS 1 queue that survives reconnects (and, with a store, reboots). MQTT 3.1.1 §4.3.2/§4.4:
// a QoS 1 message stays ours until its PUBACK; after a reconnect it is sent again with DUP set. The queue is
// bounded in entries and bytes with an explicit, counted drop policy (field-notes.md §2 item 9: an offline queue
// that grows until the heap is gone, and esp-mqtt's outbox that silently expires messages after 30 s).

export interface OutboxEntry {
  /** Local sequence number, stable for the entry's lifetime (what onDelivered/onDropped report). */
  readonly seq: number;
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly retain: boolean;
  /** Topic UTF-8 bytes + payload bytes: what the entry costs against OutboxOptions.maxBytes. */
  readonly size: number;
  /** MQTT packet identifier once the entry was put on the wire; kept for the DUP resend (§4.4). */
  packetId?: number;
  /** Sent at least once: the next transmission carries DUP = 1 (§3.3.1.1). */
  sent: boolean;
}

/** Persistence for the queue: save() receives the whole queue after every add and every acknowledgement. */
export interface OutboxStore {
  load(): OutboxEntry[];
  save(entries: readonly OutboxEntry[]): void;
}

/** 'drop-oldest': make room by discarding the oldest message (fresh telemetry wins). 'reject-new': refuse. */
export type DropPolicy = 'drop-oldest' | 'reject-new';

export interface OutboxOptions {
  maxEntries: number;
  /** Bound on topic + payload bytes held, so a burst of large messages cannot exhaust the heap. */
  maxBytes: number;
  policy: DropPolicy;
  store?: OutboxStore;
}

export const DEFAULT_OUTBOX: OutboxOptions = Object.freeze({ maxEntries: 32, maxBytes: 16 * 1024, policy: 'drop-oldest' });

export type AddResult = { accepted: true; seq: number; dropped: OutboxEntry[] } | { accepted: false; reason: 'FULL' | 'TOO_LARGE' };

export class Outbox {
  private readonly entries: OutboxEntry[] = [];
  private bytes = 0;
  private nextSeq = 1;
  /** Messages discarded to make room or refused, since boot. */
  dropped = 0;
  /** store.save() failures (the queue keeps working in RAM). */
  persistFailures = 0;

  constructor(private readonly options: OutboxOptions = DEFAULT_OUTBOX) {
    if (!(options.maxEntries >= 1) || !(options.maxBytes >= 1)) throw new RangeError('outbox bounds must be >= 1');
    if (options.store) {
      for (const e of options.store.load()) {
        if (this.entries.length >= options.maxEntries || this.bytes + e.size > options.maxBytes) {
          this.dropped++;
          continue;
        }
        this.entries.push(e);
        this.bytes += e.size;
        this.nextSeq = Math.max(this.nextSeq, e.seq + 1);
      }
    }
  }

  get length(): number {
    return this.entries.length;
  }

  get byteLength(): number {
    return this.bytes;
  }

  /** Oldest first. The entries are live (the client sets packetId/sent on them). */
  list(): readonly OutboxEntry[] {
    return this.entries;
  }

  /** `topicBytes`: UTF-8 length of `topic` (the caller has encoded it to validate it). */
  add(topic: string, payload: Uint8Array, retain: boolean, topicBytes: number): AddResult {
    const size = topicBytes + payload.length;
    if (size > this.options.maxBytes) {
      this.dropped++;
      return { accepted: false, reason: 'TOO_LARGE' };
    }
    const dropped: OutboxEntry[] = [];
    while (this.entries.length >= this.options.maxEntries || this.bytes + size > this.options.maxBytes) {
      if (this.options.policy === 'reject-new') {
        this.dropped++;
        return { accepted: false, reason: 'FULL' };
      }
      const old = this.entries.shift() as OutboxEntry;
      this.bytes -= old.size;
      this.dropped++;
      dropped.push(old);
    }
    const entry: OutboxEntry = { seq: this.nextSeq++, topic, payload: payload.slice(), retain, size, sent: false };
    this.entries.push(entry);
    this.bytes += size;
    this.persist();
    return { accepted: true, seq: entry.seq, dropped };
  }

  /** Removes the entry acknowledged by PUBACK `packetId`; undefined if none (e.g. already dropped). */
  ack(packetId: number): OutboxEntry | undefined {
    const i = this.entries.findIndex((e) => e.sent && e.packetId === packetId);
    if (i < 0) return undefined;
    const [e] = this.entries.splice(i, 1);
    this.bytes -= e.size;
    this.persist();
    return e;
  }

  /** Records that the entry went on the wire with `packetId`. Not persisted: after a reboot the session is new
   * anyway (clean session), and skipping this write halves the flash writes per message. */
  markSent(entry: OutboxEntry, packetId: number): void {
    entry.packetId = packetId;
    entry.sent = true;
  }

  hasPacketId(packetId: number): boolean {
    for (const e of this.entries) if (e.packetId === packetId) return true;
    return false;
  }

  private persist(): void {
    if (!this.options.store) return;
    try {
      this.options.store.save(this.entries);
    } catch {
      this.persistFailures++;
    }
  }
}
