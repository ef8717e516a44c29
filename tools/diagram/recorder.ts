// SequenceRecorder: records what actually happened in an end-to-end run (openremote.md §1.5: phone ↔ device over
// BLE, backend REST, device ↔ MQTT broker) as a sequence model that tools/diagram/mermaid.ts and svg.ts render.
// Host-side only. Labels come from callers; registered secrets are masked (or rejected) before they are stored.
import { redact, SecretRegistry } from '../../firmware/util/log';

export { redact };

export type MessageKind = 'request' | 'response' | 'event';

export interface Participant {
  /** Short identifier: letters, digits and `_`, starting with a letter (used as the Mermaid alias). */
  id: string;
  /** Human-readable name shown in the boxes. */
  label: string;
}

export interface MessageItem {
  type: 'message';
  from: string;
  to: string;
  label: string;
  kind: MessageKind;
  /** ms since the recorder started; for a collapsed run, the first occurrence. */
  t: number;
  /** Set when consecutive repetitions were collapsed into this one arrow. */
  repeat?: RepeatInfo;
}

export interface RepeatInfo {
  count: number;
  /** Time of the last occurrence (ms since start). */
  tLast: number;
  /** The collapse key (what the repetitions have in common). */
  key: string;
  /** Distinct labels in order of first appearance, consecutive duplicates removed (e.g. CONNECTING, CONNECTED). */
  labels: string[];
}

export interface NoteItem {
  type: 'note';
  /** One participant, or two (the note spans from the first to the second). */
  over: [string] | [string, string];
  text: string;
  t: number;
}

export interface GroupItem {
  type: 'group';
  label: string;
  t: number;
  /** Time the group ended (ms since start). */
  tEnd: number;
  items: Item[];
}

export type Item = MessageItem | NoteItem | GroupItem;

/** What the renderers draw: participants in declaration order and a tree of items in recorded order. */
export interface SequenceModel {
  title?: string;
  participants: Participant[];
  items: Item[];
}

export interface MessageOptions {
  kind?: MessageKind;
  /** A note drawn right after the arrow, spanning the two participants. */
  note?: string;
  /** Consecutive messages with the same from/to/kind/key collapse into one arrow even when their labels differ
   * (e.g. key 'BackendConnectionStatus' for the replies 'CONNECTING' and 'CONNECTED'). Without a key, labels that
   * differ only in their numbers (request ids, counters, values) collapse. */
  key?: string;
}

export interface RecorderOptions {
  title?: string;
  /** Milliseconds clock; defaults to performance.now(). Injected in tests for deterministic output. */
  clock?: () => number;
  /** 'mask' (default) replaces a registered secret with `<redacted N chars>`; 'throw' refuses the label. */
  onSecret?: 'mask' | 'throw';
  /** Smallest number of repetitions that is collapsed into one arrow (default 3). 0 disables collapsing. */
  minRepeat?: number;
}

const ID_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
// Words that Mermaid's sequence grammar treats as keywords; an alias equal to one of them would break parsing.
const RESERVED = new Set([
  'participant', 'actor', 'as', 'end', 'loop', 'alt', 'else', 'opt', 'par', 'and', 'rect', 'note', 'over', 'left',
  'right', 'of', 'autonumber', 'activate', 'deactivate', 'critical', 'break', 'box', 'links', 'link', 'properties',
  'details', 'title', 'create', 'destroy', 'sequencediagram',
]);

/** Raw, uncollapsed events in call order. Groups are begin/end markers so async sections can interleave. */
type RawEvent =
  | { type: 'message'; from: string; to: string; label: string; kind: MessageKind; key: string; t: number }
  | { type: 'note'; over: [string] | [string, string]; text: string; t: number }
  | { type: 'begin'; id: number; label: string; t: number }
  | { type: 'end'; id: number; t: number };

export class SecretInLabelError extends Error {
  constructor() {
    super('diagram label contains a registered secret');
    this.name = 'SecretInLabelError';
  }
}

/** Handle returned by begin(); pass it to end(). */
export interface GroupHandle {
  readonly id: number;
}

export class SequenceRecorder {
  readonly participants: readonly Participant[];
  private readonly events: RawEvent[] = [];
  private readonly secrets = new SecretRegistry();
  private readonly clock: () => number;
  private readonly t0: number;
  private readonly onSecret: 'mask' | 'throw';
  private readonly minRepeat: number;
  private readonly title: string | undefined;
  private nextGroup = 1;
  private readonly open = new Set<number>();

  constructor(participants: Participant[], options: RecorderOptions = {}) {
    if (participants.length === 0) throw new Error('a sequence needs at least one participant');
    const seen = new Set<string>();
    for (const p of participants) {
      if (!ID_RE.test(p.id) || RESERVED.has(p.id.toLowerCase())) throw new Error(`bad participant id ${JSON.stringify(p.id)}`);
      if (seen.has(p.id)) throw new Error(`duplicate participant id ${p.id}`);
      seen.add(p.id);
    }
    this.participants = participants.map((p) => ({ id: p.id, label: p.label }));
    this.clock = options.clock ?? (() => performance.now());
    this.t0 = this.clock();
    this.onSecret = options.onSecret ?? 'mask';
    this.minRepeat = options.minRepeat ?? 3;
    this.title = options.title;
  }

  /** Registers a secret (PoP, passphrase, MQTT password…): any label containing it is masked or refused. Values
   * shorter than 4 characters are not registered (see SecretRegistry); never pass such values in labels. */
  secret(value: string | undefined): void {
    this.secrets.add(value);
  }

  message(from: string, to: string, label: string, options: MessageOptions = {}): void {
    this.checkParticipant(from);
    this.checkParticipant(to);
    const t = this.now();
    const clean = this.clean(label);
    const key = options.key === undefined ? autoKey(clean) : this.clean(options.key);
    this.events.push({ type: 'message', from, to, label: clean, kind: options.kind ?? 'request', key, t });
    if (options.note !== undefined) this.events.push({ type: 'note', over: from === to ? [from] : [from, to], text: this.clean(options.note), t });
  }

  request(from: string, to: string, label: string, options: Omit<MessageOptions, 'kind'> = {}): void {
    this.message(from, to, label, { ...options, kind: 'request' });
  }

  response(from: string, to: string, label: string, options: Omit<MessageOptions, 'kind'> = {}): void {
    this.message(from, to, label, { ...options, kind: 'response' });
  }

  event(from: string, to: string, label: string, options: Omit<MessageOptions, 'kind'> = {}): void {
    this.message(from, to, label, { ...options, kind: 'event' });
  }

  /**
   * Records a request, runs `fn`, and records its answer as a response (labelled by `describe`) or, if it
   * throws or rejects, a response "failed: <message>" before rethrowing. For wrapping one client call:
   * `await rec.call('phone', 'device', 'or-cfg DeviceInfo', () => ch.deviceInfo(), (r) => r.deviceId)`.
   */
  async call<T>(
    from: string,
    to: string,
    label: string,
    fn: () => Promise<T> | T,
    describe: (result: T) => string = () => 'OK',
    options: Omit<MessageOptions, 'kind' | 'note'> & { replyKey?: string } = {},
  ): Promise<T> {
    this.request(from, to, label, options.key !== undefined ? { key: options.key } : {});
    const reply = options.replyKey !== undefined ? { key: options.replyKey } : {};
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      this.response(to, from, `failed: ${error instanceof Error ? error.message : String(error)}`, reply);
      throw error;
    }
    this.response(to, from, describe(result), reply);
    return result;
  }

  note(over: string | [string] | [string, string], text: string): void {
    const list: [string] | [string, string] = typeof over === 'string' ? [over] : over;
    for (const id of list) this.checkParticipant(id);
    this.events.push({ type: 'note', over: list, text: this.clean(text), t: this.now() });
  }

  begin(label: string): GroupHandle {
    const id = this.nextGroup++;
    this.open.add(id);
    this.events.push({ type: 'begin', id, label: this.clean(label), t: this.now() });
    return { id };
  }

  /** Ends a group. Ending a group that is not the innermost also ends the groups opened inside it (their own
   * later end() is then ignored): interleaved async sections cannot overlap in a sequence diagram. */
  end(handle: GroupHandle): void {
    if (!this.open.has(handle.id)) return;
    this.open.delete(handle.id);
    this.events.push({ type: 'end', id: handle.id, t: this.now() });
  }

  /** Runs `fn` inside a group; the group ends when fn returns, throws or its promise settles. */
  group<T>(label: string, fn: () => T): T {
    const handle = this.begin(label);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.end(handle);
      throw error;
    }
    if (result instanceof Promise) {
      return result.finally(() => this.end(handle)) as T;
    }
    this.end(handle);
    return result;
  }

  /** Number of raw events recorded so far (messages and notes count one each). */
  get size(): number {
    return this.events.length;
  }

  /** A snapshot of the run as a tree, with repetitive runs collapsed. Groups still open end at `now`. */
  model(): SequenceModel {
    const root: GroupItem = { type: 'group', label: '', t: 0, tEnd: 0, items: [] };
    const stack: { id: number; group: GroupItem }[] = [{ id: 0, group: root }];
    const closed = new Set<number>();
    for (const ev of this.events) {
      const top = stack[stack.length - 1]!.group;
      switch (ev.type) {
        case 'message':
          top.items.push({ type: 'message', from: ev.from, to: ev.to, label: ev.label, kind: ev.kind, t: ev.t, key: ev.key } as MessageItem);
          break;
        case 'note':
          top.items.push({ type: 'note', over: [...ev.over] as NoteItem['over'], text: ev.text, t: ev.t });
          break;
        case 'begin': {
          const group: GroupItem = { type: 'group', label: ev.label, t: ev.t, tEnd: ev.t, items: [] };
          top.items.push(group);
          stack.push({ id: ev.id, group });
          break;
        }
        case 'end': {
          const at = stack.findIndex((s) => s.id === ev.id);
          if (at <= 0 || closed.has(ev.id)) break; // already closed by an outer end()
          while (stack.length > at) {
            const s = stack.pop()!;
            s.group.tEnd = ev.t;
            closed.add(s.id);
          }
          break;
        }
      }
    }
    const now = this.now();
    while (stack.length > 1) stack.pop()!.group.tEnd = now;
    const items = collapse(root.items, this.minRepeat);
    stripKeys(items);
    return { ...(this.title !== undefined ? { title: this.title } : {}), participants: this.participants.map((p) => ({ id: p.id, label: this.clean(p.label) })), items };
  }

  private now(): number {
    return Math.max(0, this.clock() - this.t0);
  }

  private checkParticipant(id: string): void {
    if (!this.participants.some((p) => p.id === id)) throw new Error(`unknown participant ${JSON.stringify(id)}`);
  }

  private clean(text: string): string {
    const scrubbed = this.secrets.scrub(String(text));
    if (scrubbed !== text && this.onSecret === 'throw') throw new SecretInLabelError();
    return scrubbed;
  }
}

type KeyedMessage = MessageItem & { key?: string };

// Marks a key derived from the label (numbers masked) rather than given by the caller.
const AUTO = '\u0000auto:';
function autoKey(label: string): string {
  return AUTO + label.replace(/[0-9]+/g, '#');
}

function sameSlot(a: Item, b: Item): boolean {
  if (a.type !== 'message' || b.type !== 'message') return false;
  const ka = (a as KeyedMessage).key ?? autoKey(a.label);
  const kb = (b as KeyedMessage).key ?? autoKey(b.label);
  return a.from === b.from && a.to === b.to && a.kind === b.kind && ka === kb;
}

/**
 * Collapses back-to-back repetitions of one message (period 1) or of a request/response pair (period 2), e.g. 37
 * BackendConnectionStatus polls with their answers, into one arrow per slot carrying a RepeatInfo. Runs shorter
 * than minRepeat stay as they are. Notes and groups break a run. Recurses into groups.
 */
export function collapse(items: Item[], minRepeat: number): Item[] {
  const out: Item[] = [];
  let i = 0;
  while (i < items.length) {
    const item = items[i]!;
    if (item.type === 'group') {
      out.push({ ...item, items: collapse(item.items, minRepeat) });
      i++;
      continue;
    }
    let best = { period: 1, runs: 1 };
    if (minRepeat > 0 && item.type === 'message') {
      for (const period of [1, 2]) {
        let runs = 1;
        outer: while (i + (runs + 1) * period <= items.length) {
          for (let k = 0; k < period; k++) {
            if (!sameSlot(items[i + k]!, items[i + runs * period + k]!)) break outer;
          }
          runs++;
        }
        // A period-2 block made of two copies of the same slot is really period 1; it was already tried.
        if (period === 2 && sameSlot(items[i]!, items[i + 1] ?? items[i]!) && items[i + 1] !== undefined) continue;
        if (runs >= minRepeat && runs * period > best.runs * best.period) best = { period, runs };
      }
    }
    if (best.runs < Math.max(minRepeat, 2)) {
      out.push(item);
      i++;
      continue;
    }
    for (let k = 0; k < best.period; k++) {
      const first = items[i + k] as KeyedMessage;
      const labels: string[] = [];
      let tLast = first.t;
      for (let r = 0; r < best.runs; r++) {
        const m = items[i + r * best.period + k] as MessageItem;
        if (labels[labels.length - 1] !== m.label) labels.push(m.label);
        tLast = m.t;
      }
      const key = first.key ?? autoKey(first.label);
      const explicit = !key.startsWith(AUTO);
      const merged: KeyedMessage = {
        ...first,
        label: repeatLabel(explicit ? key : undefined, labels, best.runs, tLast - first.t),
        repeat: { count: best.runs, tLast, key: explicit ? key : first.label, labels: dedupe(labels) },
      };
      out.push(merged);
    }
    i += best.period * best.runs;
  }
  return out;
}

function dedupe(labels: string[]): string[] {
  return labels.filter((l, i) => labels.indexOf(l) === i);
}

/**
 * The label of a collapsed run: "GetStatus ×10 (1.9 s)" when every label was the same; "or-cfg
 * BackendConnectionStatus (id 2…38) ×37 (1.8 s)" when they differ only in one number (request ids); with a caller's
 * key, the key and the sequence of values, "BackendConnectionStatus ×37 (CONNECTING…CONNECTED, 1.8 s)"; else the
 * first and last label.
 */
export function repeatLabel(key: string | undefined, labels: string[], count: number, spanMs: number): string {
  const span = formatDuration(spanMs);
  if (labels.length === 1) return `${labels[0]} ×${count} (${span})`;
  const range = numericRange(labels);
  if (range !== undefined) return `${range} ×${count} (${span})`;
  if (key === undefined) return `${labels[0]} … ${labels[labels.length - 1]} ×${count} (${span})`;
  const shown = labels.length <= 4 ? labels.join('…') : `${labels[0]}…(${labels.length - 2} more)…${labels[labels.length - 1]}`;
  return `${key} ×${count} (${shown}, ${span})`;
}

/** "x (id 2)", "x (id 3)" … "x (id 38)" → "x (id 2…38)"; undefined unless the labels differ only in one number. */
function numericRange(labels: string[]): string | undefined {
  const first = labels[0]!;
  let p = first.length;
  let s = first.length;
  for (const l of labels) {
    let i = 0;
    while (i < p && i < l.length && l[i] === first[i]) i++;
    p = i;
    let j = 0;
    while (j < s && j < l.length && l[l.length - 1 - j] === first[first.length - 1 - j]) j++;
    s = j;
  }
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  // Keep whole numbers in the varying part: "id 1" / "id 12" share "id 1", but the number is 1 vs 12.
  while (p > 0 && isDigit(first[p - 1])) p--;
  while (s > 0 && isDigit(first[first.length - s])) s--;
  const middles = labels.map((l) => l.slice(p, l.length - s));
  if (!middles.every((m) => /^[0-9]+$/.test(m))) return undefined;
  return `${first.slice(0, p)}${middles[0]}…${middles[middles.length - 1]}${first.slice(first.length - s)}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

function stripKeys(items: Item[]): void {
  for (const item of items) {
    if (item.type === 'message') delete (item as KeyedMessage).key;
    else if (item.type === 'group') stripKeys(item.items);
  }
}

/** Counts messages in a model (a collapsed arrow counts its repetitions). */
export function countMessages(items: Item[]): number {
  let n = 0;
  for (const item of items) {
    if (item.type === 'message') n += item.repeat?.count ?? 1;
    else if (item.type === 'group') n += countMessages(item.items);
  }
  return n;
}
