// The application model for hardware makers: declare the device's OpenRemote attributes (type, read-only or
// writable, publishing policy), set values, and receive validated writes from OpenRemote (openremote.md §4.4–4.8).
// The model does not own the MQTT client: it is handed a publisher (OpenRemoteMqtt over the link's client) when
// the link is online and told when it goes offline; incoming values come through
// handleValue() (bindOpenRemote wires OpenRemoteMqtt.onValue to it).
//
// Rules that come from OpenRemote's behaviour:
// - Attribute names are checked at declaration with the topic token rules: a bad name would otherwise be an
//   unauthorised publish, and OpenRemote drops an MQTT 3.1.1 connection on that (§4.5), i.e. a reconnect loop.
// - There are no retained values (§4.4): after every (re)connect every current value is published again.
// - Subscriptions deliver only changed values, including the echo of the device's own writes (§4.5): echoes are
//   recognised and never treated as a write from the cloud (that would make the device undo its own changes).
// - A write is echoed back after the device applied it (QoS 1) so OpenRemote shows the device's real state; a
//   refused write makes the device republish its current value so the cloud does not keep the refused one.
import type { ClockHost } from '../host/clock';
import type { TimerHost, TimerId } from '../host/timers';
import type { Logger } from '../util/log';
import type { AttributeValue, WriteResult } from '../openremote/mqtt-api';
import { tokenError } from '../openremote/mqtt-api';
import { checkRules, coerce, hasType, jsonEqual, showValue, type AttributeType, type ValueOf, type ValueRules } from './attribute-values';

export type { AttributeType, AttributeValue, ValueOf };

export interface PublishPolicy {
  /** Publish the current value every intervalMs while online, changed or not (heartbeat / sampled values). */
  intervalMs?: number;
  /** Publish when set() changes the value. true = any change; a number attribute may give a deadband
   * (|new - last published| >= minDelta) and any attribute a minimum time between publishes (the latest value is
   * sent when it ends), so a noisy sensor cannot flood the link. Default true. */
  onChange?: boolean | { minDelta?: number; minIntervalMs?: number };
  /** Publish after every (re)connect (OpenRemote keeps no retained values, §4.4). Default true. */
  onConnect?: boolean;
  /** 1 (default) for state and write echoes; 0 is allowed for high-rate telemetry (lost when the link drops). */
  qos?: 0 | 1;
}

/** What onWrite answers: nothing (applied as received), the value actually applied (e.g. clamped by the
 * hardware), or a refusal (the device republishes its current value). Throwing counts as a refusal. */
export type WriteOutcome<V> = void | { applied: V } | { rejected: string };

export interface AttributeSpec<T extends AttributeType = AttributeType> extends ValueRules<ValueOf<T>> {
  type: T;
  /** read-only: device → cloud only; writable: the cloud may write it and the device applies it in onWrite. */
  access: 'read-only' | 'writable';
  publish?: PublishPolicy;
  /** Values of a secret attribute never appear in log lines. */
  secret?: boolean;
  /** The value at boot (published at the first connect). */
  initial?: ValueOf<T>;
  /** A sampled source (RSSI, uptime): read at every publish instead of the value given to set(). undefined =
   * no value now (nothing is published). */
  read?(): ValueOf<T> | undefined;
  /** writable only (required there): apply a validated write from the cloud. */
  onWrite?(value: ValueOf<T>): WriteOutcome<ValueOf<T>>;
}

export type AttributeDefinitions<D extends Record<string, AttributeType>> = { [K in keyof D]: AttributeSpec<D[K]> };

const ACCESS = Object.freeze(['read-only', 'writable']);
const TYPES = Object.freeze(['number', 'boolean', 'text', 'json']);

/**
 * Checks a declaration and returns it unchanged (typed). Throws a RangeError naming the first problem, so a typo
 * fails at boot rather than as a dropped connection in the field.
 */
export function defineAttributes<D extends Record<string, AttributeType>>(definitions: AttributeDefinitions<D>): AttributeDefinitions<D> {
  const names = Object.keys(definitions);
  if (names.length === 0) throw new RangeError('no attributes declared');
  for (const name of names) {
    const spec = definitions[name] as AttributeSpec;
    const bad = tokenError(name, 'attribute name');
    if (bad) throw new RangeError(bad);
    const where = `attribute ${name}`;
    if (!spec || typeof spec !== 'object') throw new RangeError(`${where}: needs a declaration object`);
    if (!TYPES.includes(spec.type)) throw new RangeError(`${where}: type must be number, boolean, text or json`);
    if (!ACCESS.includes(spec.access)) throw new RangeError(`${where}: access must be read-only or writable`);
    if (spec.access === 'writable' && typeof spec.onWrite !== 'function') throw new RangeError(`${where}: a writable attribute needs onWrite`);
    if (spec.access === 'read-only' && spec.onWrite !== undefined) throw new RangeError(`${where}: onWrite on a read-only attribute would never run`);
    if (spec.initial !== undefined && !hasType(spec.type, spec.initial)) throw new RangeError(`${where}: initial value is not a ${spec.type}`);
    const p = spec.publish ?? {};
    if (p.intervalMs !== undefined && !(Number.isFinite(p.intervalMs) && p.intervalMs >= 100)) throw new RangeError(`${where}: publish.intervalMs must be >= 100`);
    if (p.qos !== undefined && p.qos !== 0 && p.qos !== 1) throw new RangeError(`${where}: publish.qos must be 0 or 1`);
    if (typeof p.onChange === 'object') {
      const { minDelta, minIntervalMs } = p.onChange;
      if (minDelta !== undefined && (spec.type !== 'number' || !(Number.isFinite(minDelta) && minDelta >= 0))) {
        throw new RangeError(`${where}: onChange.minDelta needs a number attribute and a finite value >= 0`);
      }
      if (minIntervalMs !== undefined && !(Number.isFinite(minIntervalMs) && minIntervalMs >= 0)) throw new RangeError(`${where}: onChange.minIntervalMs must be >= 0`);
    }
    if ((spec.min !== undefined || spec.max !== undefined || spec.integer) && spec.type !== 'number') throw new RangeError(`${where}: min/max/integer need a number attribute`);
    if (spec.maxLength !== undefined && spec.type !== 'text') throw new RangeError(`${where}: maxLength needs a text attribute`);
    if (spec.oneOf && !spec.oneOf.every((v) => hasType(spec.type, v))) throw new RangeError(`${where}: oneOf holds a value that is not a ${spec.type}`);
  }
  return definitions;
}

/** What the model publishes through: OpenRemoteMqtt (firmware/openremote/mqtt-api.ts). `serverTime` asks for
 * `writeattributevalue`, stamped by OpenRemote on receipt (see OpenRemoteMqtt.write for why echoes use it). */
export interface AttributePublisher {
  write(attribute: string, value: AttributeValue, options: { qos?: 0 | 1; serverTime?: boolean }): WriteResult;
}

export interface AttributeStats {
  /** Values handed to the MQTT client (QoS 1: queued in its outbox; QoS 0: written to the socket). */
  published: number;
  /** Publishes the client refused (offline, backpressure, outbox full); the value is sent again later. */
  publishFailed: number;
  /** Updates that replaced a not-yet-sent value (offline, or inside a minimum interval): only the latest is kept. */
  coalesced: number;
  /** Writes from the cloud refused (type, rules, read-only, onWrite refusal). */
  rejected: number;
  /** Writes from the cloud applied. */
  applied: number;
  /** Incoming values recognised as the echo of our own publishes. */
  echoes: number;
  /** Incoming values for attributes this firmware did not declare (e.g. OpenRemote's `connected`). */
  unknown: number;
}

export interface AttributeModelOptions<D extends Record<string, AttributeType>> {
  attributes: AttributeDefinitions<D>;
  timers: TimerHost;
  clock: ClockHost;
  logger: Logger;
  /** How long a published value is expected back as an echo. Default 10000. */
  echoWindowMs?: number;
  /** Retry delay after the client refused a publish while online (backpressure, full outbox). Default 2000. */
  retryMs?: number;
}

interface Slot {
  name: string;
  spec: AttributeSpec;
  onChange: boolean;
  minDelta: number;
  minIntervalMs: number;
  onConnect: boolean;
  qos: 0 | 1;
  current: AttributeValue | undefined;
  /** A value is waiting to be published (offline, minimum interval, refused publish). */
  dirty: boolean;
  lastPublished: AttributeValue | undefined;
  lastPublishedAt: number;
  deferTimer: TimerId | undefined;
  intervalTimer: TimerId | undefined;
  /** What we believe OpenRemote holds (undefined = unknown, e.g. right after a connect). */
  cloud: AttributeValue | undefined;
  /** Published values whose echo has not come back yet, oldest first. */
  echoes: { value: AttributeValue; atMs: number }[];
}

const MAX_PENDING_ECHOES = 8;

export class AttributeModel<D extends Record<string, AttributeType>> {
  private readonly slots = new Map<string, Slot>();
  private publisher: AttributePublisher | undefined;
  private retryTimer: TimerId | undefined;
  private readonly echoWindowMs: number;
  private readonly retryMs: number;
  private readonly counters: AttributeStats = { published: 0, publishFailed: 0, coalesced: 0, rejected: 0, applied: 0, echoes: 0, unknown: 0 };

  constructor(private readonly options: AttributeModelOptions<D>) {
    defineAttributes(options.attributes);
    this.echoWindowMs = options.echoWindowMs ?? 10_000;
    this.retryMs = options.retryMs ?? 2_000;
    for (const name of Object.keys(options.attributes)) {
      const spec = options.attributes[name] as AttributeSpec;
      const p = spec.publish ?? {};
      const change = p.onChange ?? true;
      this.slots.set(name, {
        name,
        spec,
        onChange: change !== false,
        minDelta: typeof change === 'object' ? (change.minDelta ?? 0) : 0,
        minIntervalMs: typeof change === 'object' ? (change.minIntervalMs ?? 0) : 0,
        onConnect: p.onConnect !== false,
        qos: p.qos ?? 1,
        current: spec.initial,
        dirty: false,
        lastPublished: undefined,
        lastPublishedAt: -Infinity,
        deferTimer: undefined,
        intervalTimer: undefined,
        cloud: undefined,
        echoes: [],
      });
    }
  }

  get online(): boolean {
    return this.publisher !== undefined;
  }

  /** The device's current value (for a sampled attribute: a fresh read). */
  get<K extends keyof D & string>(name: K): ValueOf<D[K]> | undefined {
    return this.valueOf(this.slot(name)) as ValueOf<D[K]> | undefined;
  }

  /**
   * The device changed a value (sensor reading, local button). It is published according to the attribute's
   * policy; while offline only the latest value is kept. A value of the wrong type is a firmware bug: it is
   * logged and ignored (a NaN from a flaky sensor must not take the device down). Returns whether it was taken.
   */
  set<K extends keyof D & string>(name: K, value: ValueOf<D[K]>): boolean {
    const slot = this.slot(name);
    if (slot.spec.read) throw new RangeError(`attribute ${name} is sampled with read(); set() would be ignored`);
    if (!hasType(slot.spec.type, value)) {
      this.options.logger.warn(`set(${name}): not a ${slot.spec.type}${slot.spec.secret ? '' : ` (${showValue(value)})`}; ignored`);
      return false;
    }
    slot.current = value as AttributeValue;
    if (slot.onChange) this.changed(slot);
    return true;
  }

  /** The link is online (CONNACK and subscription acknowledged): publish everything OpenRemote should hold. */
  connect(publisher: AttributePublisher): void {
    this.publisher = publisher;
    for (const slot of this.slots.values()) {
      slot.cloud = undefined; // the cloud may have changed while we were away
      slot.echoes = [];
      if (slot.onConnect || slot.dirty) this.publish(slot);
      const interval = slot.spec.publish?.intervalMs;
      if (interval !== undefined && slot.intervalTimer === undefined) {
        slot.intervalTimer = this.options.timers.setInterval(() => this.publish(slot), interval);
      }
    }
  }

  /** The link went offline: stop publishing; set() keeps the latest value per attribute until the next connect. */
  disconnect(): void {
    this.publisher = undefined;
    for (const slot of this.slots.values()) {
      this.clearTimer(slot, 'intervalTimer');
      // A deferred publish becomes a pending one: it is sent at the next connect.
      if (slot.deferTimer !== undefined) {
        this.clearTimer(slot, 'deferTimer');
        slot.dirty = true;
      }
    }
    if (this.retryTimer !== undefined) this.options.timers.clear(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** Stops every timer (the application shuts down). */
  stop(): void {
    this.disconnect();
  }

  stats(): AttributeStats {
    return { ...this.counters };
  }

  /**
   * A value OpenRemote delivered for the device's own asset (wire OpenRemoteMqtt.onValue here, see
   * bindOpenRemote). Echoes of our publishes are dropped; anything else is a write from the cloud.
   */
  handleValue(attribute: string, raw: AttributeValue): void {
    const slot = this.slots.get(attribute);
    if (!slot) {
      this.counters.unknown++;
      this.options.logger.debug(`value for undeclared attribute ${attribute} ignored`);
      return;
    }
    if (this.isEcho(slot, raw)) {
      this.counters.echoes++;
      return;
    }
    slot.cloud = raw;
    const spec = slot.spec;
    if (spec.access === 'read-only') {
      // The device's own value coming back (e.g. an echo that outlived the window) is no write; anything else
      // is a cloud-side change of a device-owned value, refused and overwritten.
      if (jsonEqual(raw, this.valueOf(slot))) return;
      return this.reject(slot, raw, 'the attribute is read-only');
    }
    const typed = coerce(spec.type, raw);
    if (!typed.ok) return this.reject(slot, raw, typed.reason);
    const ruled = checkRules(spec.type, spec as ValueRules<AttributeValue>, typed.value);
    if (!ruled.ok) return this.reject(slot, raw, ruled.reason);
    const value = ruled.value;
    if (slot.current !== undefined && jsonEqual(slot.current, value)) {
      // Already the device's state (e.g. a string "true" coerced to true): confirm the typed value if it differs.
      if (!jsonEqual(raw, value)) this.publish(slot, true);
      return;
    }
    let outcome: WriteOutcome<AttributeValue>;
    try {
      outcome = (spec.onWrite as (v: AttributeValue) => WriteOutcome<AttributeValue>)(value);
    } catch (e) {
      return this.reject(slot, raw, `onWrite threw: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (outcome && 'rejected' in outcome) return this.reject(slot, raw, outcome.rejected);
    const applied = outcome && 'applied' in outcome ? outcome.applied : value;
    if (!hasType(spec.type, applied)) return this.reject(slot, raw, `onWrite reported an applied value that is not a ${spec.type}`);
    slot.current = applied;
    this.counters.applied++;
    this.options.logger.info(`${attribute} written: ${this.show(slot, applied)}`);
    // The echo shows OpenRemote what the device really did; not subject to deadband or minimum interval. Server
    // time: it answers a server-stamped write and must not be discarded as outdated (§4.5).
    this.publish(slot, true);
  }

  private reject(slot: Slot, raw: AttributeValue, reason: string): void {
    this.counters.rejected++;
    this.options.logger.warn(`write to ${slot.name} refused (${reason}): ${this.show(slot, raw)}`);
    // Put the device's real value back in the cloud (server time, as for echoes); nothing to put back if it has
    // none yet.
    this.publish(slot, true);
  }

  private show(slot: Slot, value: unknown): string {
    return slot.spec.secret ? '<redacted>' : showValue(value);
  }

  /** On-change policy: deadband against the last published value, then the minimum interval. */
  private changed(slot: Slot): void {
    if (!this.publisher) {
      if (slot.dirty) this.counters.coalesced++;
      slot.dirty = true;
      return;
    }
    if (slot.deferTimer !== undefined) {
      // A publish is already scheduled; it will take the latest value.
      this.counters.coalesced++;
      return;
    }
    if (!this.differs(slot)) return;
    const wait = slot.lastPublishedAt + slot.minIntervalMs - this.options.clock.monotonicMs();
    if (wait > 0) {
      slot.dirty = true;
      slot.deferTimer = this.options.timers.setTimeout(() => {
        slot.deferTimer = undefined;
        // The value may have come back inside the deadband meanwhile.
        if (this.differs(slot)) this.publish(slot);
        else slot.dirty = false;
      }, wait);
      return;
    }
    this.publish(slot);
  }

  private differs(slot: Slot): boolean {
    const value = slot.current;
    const last = slot.lastPublished;
    if (value === undefined) return false;
    if (last === undefined) return true;
    if (typeof value === 'number' && typeof last === 'number' && slot.minDelta > 0) return Math.abs(value - last) >= slot.minDelta;
    return !jsonEqual(value, last);
  }

  private valueOf(slot: Slot): AttributeValue | undefined {
    if (!slot.spec.read) return slot.current;
    let value: AttributeValue | undefined;
    try {
      value = slot.spec.read() as AttributeValue | undefined;
    } catch (e) {
      this.options.logger.warn(`reading ${slot.name} failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    if (value === undefined) return undefined;
    if (!hasType(slot.spec.type, value)) {
      this.options.logger.warn(`reading ${slot.name} gave a value that is not a ${slot.spec.type}; not published`);
      return undefined;
    }
    return value;
  }

  private publish(slot: Slot, serverTime = false): void {
    const value = this.valueOf(slot);
    if (value === undefined) {
      slot.dirty = false;
      return;
    }
    if (!this.publisher) {
      if (slot.dirty) this.counters.coalesced++;
      slot.dirty = true;
      return;
    }
    if (slot.deferTimer !== undefined) this.clearTimer(slot, 'deferTimer');
    const r = this.publisher.write(slot.name, value, serverTime ? { qos: slot.qos, serverTime } : { qos: slot.qos });
    if (r.ok) {
      this.counters.published++;
      slot.dirty = false;
      slot.lastPublished = value;
      slot.lastPublishedAt = this.options.clock.monotonicMs();
      this.expectEcho(slot, value);
      return;
    }
    this.counters.publishFailed++;
    if (r.reason === 'INVALID_TOPIC' || r.reason === 'INVALID_VALUE' || r.reason === 'TOO_LARGE') {
      // Not retried: it would fail the same way (declaration checks make this a bug, not a field condition).
      slot.dirty = false;
      this.options.logger.error(`publishing ${slot.name} failed: ${r.reason}${'error' in r ? ` ${r.error}` : ''}`);
      return;
    }
    slot.dirty = true;
    this.options.logger.debug(`publishing ${slot.name} deferred: ${r.reason}`);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || !this.publisher) return;
    this.retryTimer = this.options.timers.setTimeout(() => {
      this.retryTimer = undefined;
      for (const slot of this.slots.values()) if (slot.dirty && slot.deferTimer === undefined && this.publisher) this.publish(slot);
    }, this.retryMs);
  }

  /** A publish changes OpenRemote's value only if it differs from what it holds; only then an echo comes back. */
  private expectEcho(slot: Slot, value: AttributeValue): void {
    const known = slot.cloud !== undefined && jsonEqual(slot.cloud, value);
    slot.cloud = value;
    if (known) return;
    slot.echoes.push({ value, atMs: this.options.clock.monotonicMs() });
    if (slot.echoes.length > MAX_PENDING_ECHOES) slot.echoes.shift();
  }

  /** Events arrive in the order OpenRemote applied them, so a match also retires every older expected echo. */
  private isEcho(slot: Slot, raw: AttributeValue): boolean {
    const now = this.options.clock.monotonicMs();
    while (slot.echoes.length > 0 && now - slot.echoes[0].atMs > this.echoWindowMs) slot.echoes.shift();
    for (let i = 0; i < slot.echoes.length; i++) {
      if (jsonEqual(slot.echoes[i].value, raw)) {
        slot.echoes.splice(0, i + 1);
        slot.cloud = raw;
        return true;
      }
    }
    return false;
  }

  private slot(name: string): Slot {
    const slot = this.slots.get(name);
    if (!slot) throw new RangeError(`attribute ${name} is not declared`);
    return slot;
  }

  private clearTimer(slot: Slot, which: 'deferTimer' | 'intervalTimer'): void {
    const id = slot[which];
    if (id !== undefined) this.options.timers.clear(id);
    slot[which] = undefined;
  }
}

/** The part of OpenRemoteMqtt that delivers values. */
export interface AttributeValueSource {
  readonly identity: { assetId: string };
  onValue(handler: (attribute: string, assetId: string, value: AttributeValue) => void): void;
}

/**
 * Routes the values of the device's own asset from an OpenRemoteMqtt to the model (other assets' values are not
 * writes to this device). Call once per OpenRemoteMqtt (one per config); the model's connect()/disconnect() follow
 * the link state.
 */
export function bindOpenRemote(model: { handleValue(attribute: string, value: AttributeValue): void }, source: AttributeValueSource): void {
  source.onValue((attribute, assetId, value) => {
    if (assetId === source.identity.assetId) model.handleValue(attribute, value);
  });
}
