// The application model (firmware/app/attributes.ts) on the virtual clock with a fake publisher: declaration
// checks, coercion and refusal of cloud writes (with the device's value put back), echo recognition, deadband and
// minimum interval, periodic publishing, coalescing while offline and republish-all after every connect, publish
// refusals, and secret redaction in logs (openremote.md §4.4, §4.5).
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { AttributeModel, bindOpenRemote, defineAttributes, type AttributeSpec } from '../../firmware/app/attributes';
import { coerce } from '../../firmware/app/attribute-values';
import type { AttributeValue } from '../../firmware/openremote/mqtt-api';
import { makeRig, type Rig } from './fixture';

let rig: Rig;
afterEach(() => rig?.host.sim.shutdown());

function model<D extends Record<string, 'number' | 'boolean' | 'text' | 'json'>>(attributes: { [K in keyof D]: AttributeSpec<D[K]> }, extra: { echoWindowMs?: number; retryMs?: number } = {}) {
  rig = makeRig();
  return new AttributeModel<D>({ attributes, timers: rig.host.timers, clock: rig.host.clock, logger: rig.logger, ...extra });
}

describe('declaration', () => {
  const ok = { type: 'number', access: 'read-only' } as const;
  it.each([
    ['temp/x', "contains '/', '+' or '#'"],
    ['a+b', "contains '/', '+' or '#'"],
    ['#', "contains '/', '+' or '#'"],
    ['', 'is empty'],
    ['bad\u0000', 'U+0000'],
    ['x\ud800', 'lone surrogate'],
  ])('refuses the attribute name %j (it would be an unauthorised publish, §4.5)', (name, message) => {
    expect(() => defineAttributes({ [name]: ok })).toThrow(message);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['writable without onWrite', { type: 'boolean', access: 'writable' }, 'needs onWrite'],
    ['onWrite on read-only', { type: 'boolean', access: 'read-only', onWrite() {} }, 'would never run'],
    ['unknown type', { type: 'float', access: 'read-only' }, 'type must be'],
    ['unknown access', { type: 'number', access: 'rw' }, 'access must be'],
    ['initial of the wrong type', { type: 'number', access: 'read-only', initial: '3' }, 'initial value is not a number'],
    ['non-finite initial', { type: 'number', access: 'read-only', initial: NaN }, 'initial value is not a number'],
    ['deadband on a boolean', { type: 'boolean', access: 'read-only', publish: { onChange: { minDelta: 1 } } }, 'minDelta needs a number'],
    ['negative deadband', { type: 'number', access: 'read-only', publish: { onChange: { minDelta: -1 } } }, 'minDelta'],
    ['tiny interval', { type: 'number', access: 'read-only', publish: { intervalMs: 0 } }, 'intervalMs must be >= 100'],
    ['QoS 2', { type: 'number', access: 'read-only', publish: { qos: 2 } }, 'qos must be 0 or 1'],
    ['min on text', { type: 'text', access: 'read-only', min: 1 }, 'need a number attribute'],
    ['maxLength on a number', { type: 'number', access: 'read-only', maxLength: 3 }, 'maxLength needs a text'],
    ['oneOf of the wrong type', { type: 'text', access: 'read-only', oneOf: ['a', 1] }, 'oneOf holds'],
  ])('refuses %s', (_what, spec, message) => {
    expect(() => defineAttributes({ x: spec as never })).toThrow(message);
  });

  it('refuses an empty declaration and accepts a good one unchanged', () => {
    expect(() => defineAttributes({})).toThrow('no attributes');
    const defs = { t: ok, s: { type: 'boolean', access: 'writable', onWrite() {} } } as const;
    expect(defineAttributes(defs)).toBe(defs);
  });

  it('types values per attribute (compile-time checks)', () => {
    const m = model({
      n: { type: 'number', access: 'read-only' },
      s: {
        type: 'boolean',
        access: 'writable',
        onWrite(v) {
          const b: boolean = v;
          // @ts-expect-error the written value of a boolean attribute is not a string
          const s: string = v;
          void b, s;
        },
      },
    });
    // @ts-expect-error a number attribute takes numbers only
    expect(m.set('n', 'hot')).toBe(false); // and at run time the wrong type is refused, not published
    // @ts-expect-error undeclared attribute
    expect(() => m.set('nope', 1)).toThrow('not declared');
    expect(m.set('n', 3)).toBe(true);
  });

  it('refuses set() on a sampled attribute (its value comes from read())', () => {
    const m = model({ up: { type: 'number', access: 'read-only', read: () => 5 } });
    expect(() => m.set('up', 1)).toThrow('sampled with read()');
    expect(m.get('up')).toBe(5);
  });
});

describe('coercion of incoming values', () => {
  const cases: [string, AttributeValue, AttributeValue | 'refused'][] = [
    ['number', 5, 5],
    ['number', -0.25, -0.25],
    ['number', '7.5', 7.5],
    ['number', ' 8 ', 8],
    ['number', '', 'refused'],
    ['number', 'abc', 'refused'],
    ['number', true, 'refused'],
    ['number', [1], 'refused'],
    ['number', null, 'refused'],
    ['boolean', true, true],
    ['boolean', 'false', false],
    ['boolean', 1, 'refused'],
    ['boolean', 0, 'refused'],
    ['boolean', 'yes', 'refused'],
    ['text', 'hi', 'hi'],
    ['text', '', ''],
    ['text', 5, 'refused'],
    ['text', false, 'refused'],
    ['json', { a: [1, 'x'] }, { a: [1, 'x'] }],
    ['json', null, 'refused'],
  ];
  it.each(cases)('%s ← %j gives %j', (type, raw, want) => {
    const r = coerce(type as 'number', raw);
    if (want === 'refused') expect(r.ok).toBe(false);
    else expect(r).toEqual({ ok: true, value: want });
  });
});

describe('writes from the cloud', () => {
  function setpointModel() {
    const writes: number[] = [];
    const m = model({
      setpoint: {
        type: 'number',
        access: 'writable',
        initial: 20,
        min: 5,
        max: 30,
        onWrite(v) {
          writes.push(v);
          if (v === 13) return { rejected: 'unlucky' };
          if (v === 29.9) throw new Error('relay stuck');
          if (v > 25) return { applied: 25 }; // the hardware clamps
        },
      },
      mode: { type: 'text', access: 'writable', initial: 'auto', oneOf: ['auto', 'manual'], onWrite() {} },
      level: { type: 'number', access: 'writable', initial: 1, integer: true, validate: (v) => (v % 2 === 0 ? 'must be odd' : undefined), onWrite() {} },
      temperature: { type: 'number', access: 'read-only', initial: 21.5 },
    });
    m.connect(rig.publisher);
    rig.publisher.clear();
    return { m, writes };
  }

  it('applies a valid write and echoes the applied value at QoS 1', () => {
    const { m, writes } = setpointModel();
    m.handleValue('setpoint', 22);
    expect(writes).toEqual([22]);
    // Server time: it answers a server-stamped write and must not be dropped as outdated (§4.5).
    expect(rig.publisher.sent).toEqual([{ attribute: 'setpoint', value: 22, qos: 1, atMs: 0, serverTime: true }]);
    expect(m.get('setpoint')).toBe(22);
    // A numeric string is coerced, applied, and the typed value echoed.
    m.handleValue('setpoint', '23');
    expect(writes).toEqual([22, 23]);
    expect(rig.publisher.values('setpoint')).toEqual([22, 23]);
    expect(m.stats()).toMatchObject({ applied: 2, rejected: 0 });
  });

  it('echoes the value the hardware applied, not the requested one', () => {
    const { m } = setpointModel();
    m.handleValue('setpoint', 28);
    expect(m.get('setpoint')).toBe(25);
    expect(rig.publisher.values('setpoint')).toEqual([25]);
  });

  it.each<[string, string, AttributeValue, string]>([
    ['a wrong type', 'setpoint', 'warm', 'expected a number'],
    ['null', 'setpoint', null, 'null'],
    ['a value above max', 'setpoint', 31, 'above the maximum 30'],
    ['a value below min', 'setpoint', 4.9, 'below the minimum 5'],
    ['an onWrite refusal', 'setpoint', 13, 'unlucky'],
    ['an onWrite exception', 'setpoint', 29.9, 'onWrite threw: relay stuck'],
    ['a value outside oneOf', 'mode', 'turbo', 'not one of the allowed values'],
    ['a non-integer', 'level', 3.5, 'not an integer'],
    ['a custom validator', 'level', 4, 'must be odd'],
    ['a write to a read-only attribute', 'temperature', 99, 'read-only'],
  ])('refuses %s, logs why and republishes the current value', (_what, attribute, raw, reason) => {
    const { m } = setpointModel();
    const before = m.get(attribute as 'setpoint');
    m.handleValue(attribute, raw);
    expect(m.get(attribute as 'setpoint')).toEqual(before);
    expect(rig.publisher.sent.map((s) => [s.attribute, s.value, s.qos, s.serverTime])).toEqual([[attribute, before, 1, true]]);
    expect(m.stats().rejected).toBe(1);
    const line = rig.lines().find((l) => l.includes(`write to ${attribute} refused`));
    expect(line).toContain(reason);
    expect(line).toContain(JSON.stringify(raw));
  });

  it('does not call onWrite for the value the device already has', () => {
    const { m, writes } = setpointModel();
    m.handleValue('setpoint', 20);
    expect(writes).toEqual([]);
    expect(rig.publisher.sent).toEqual([]);
  });

  it('ignores values of undeclared attributes (e.g. OpenRemote\'s connected)', () => {
    const { m } = setpointModel();
    m.handleValue('connected', true);
    expect(m.stats()).toMatchObject({ unknown: 1, rejected: 0 });
    expect(rig.publisher.sent).toEqual([]);
  });

  it('redacts the value of a secret attribute in every log line', () => {
    const m = model({
      apiKey: { type: 'text', access: 'writable', secret: true, initial: 'Old-Key-7781', maxLength: 12, onWrite() {} },
    });
    m.connect(rig.publisher);
    m.handleValue('apiKey', 'Too-Long-Secret-Value-9931');
    m.handleValue('apiKey', 'New-Key-4410');
    // @ts-expect-error wrong type on purpose
    m.set('apiKey', 12345678);
    const lines = rig.lines();
    expect(lines.some((l) => l.includes('write to apiKey refused (longer than 12 characters): <redacted>'))).toBe(true);
    expect(lines.some((l) => l.includes('apiKey written: <redacted>'))).toBe(true);
    rig.host.sim.capture!.assertNoSecret('Too-Long-Secret-Value-9931', 'New-Key-4410', 'Old-Key-7781', '12345678');
    expect(m.stats()).toMatchObject({ rejected: 1, applied: 1 });
  });
});

describe('echoes of our own publishes (§4.5: subscribers get every change, including their own)', () => {
  it('are never taken for a write, even when they arrive after a newer local change', () => {
    const relay: boolean[] = [];
    const m = model({ switch: { type: 'boolean', access: 'writable', initial: false, onWrite: (v) => void relay.push(v) } });
    m.connect(rig.publisher);
    m.handleValue('switch', false); // echo of the publish at connect (the cloud held something else)
    m.set('switch', true); // local button, twice in quick succession
    m.set('switch', false);
    // OpenRemote applies both in order and sends both changes back.
    m.handleValue('switch', true);
    m.handleValue('switch', false);
    expect(relay).toEqual([]);
    expect(m.get('switch')).toBe(false);
    expect(m.stats()).toMatchObject({ echoes: 3, applied: 0, rejected: 0 });
    // A later real write of a value seen before is applied: echoes are consumed once.
    m.handleValue('switch', true);
    expect(relay).toEqual([true]);
  });

  it('expire, so a late value is treated as a cloud write', () => {
    const m = model({ t: { type: 'number', access: 'read-only' } }, { echoWindowMs: 1000 });
    m.connect(rig.publisher);
    m.set('t', 1);
    m.set('t', 2);
    rig.advance(1500);
    m.handleValue('t', 1);
    // Not an echo any more: a cloud change of a read-only attribute, overwritten with the device's value.
    expect(m.stats()).toMatchObject({ echoes: 0, rejected: 1 });
    expect(rig.publisher.sent.map((s) => [s.value, s.serverTime])).toEqual([[1, undefined], [2, undefined], [2, true]]);
    // The device's own current value coming back late is not a write at all.
    rig.advance(1500);
    m.handleValue('t', 2);
    expect(m.stats()).toMatchObject({ echoes: 0, rejected: 1 });
    expect(rig.publisher.sent.length).toBe(3);
  });
});

describe('publishing policy', () => {
  it('deadband: publishes only changes of at least minDelta from the last published value', () => {
    const m = model({ t: { type: 'number', access: 'read-only', publish: { onChange: { minDelta: 0.1 } } } });
    m.connect(rig.publisher);
    for (const v of [20, 20.05, 20.09, 19.95, 20.12, 20.2, 20.21, 20.02]) m.set('t', v);
    expect(rig.publisher.values('t')).toEqual([20, 20.12, 20.02]);
    expect(rig.publisher.sent.every((x) => x.serverTime === undefined && x.qos === 1)).toBe(true); // device-stamped state
  });

  it('minimum interval: at most one publish per interval, the latest value at its end', () => {
    const m = model({ t: { type: 'number', access: 'read-only', publish: { onChange: { minIntervalMs: 5000 } } } });
    m.connect(rig.publisher);
    m.set('t', 1); // t=0: published
    rig.advance(1000);
    m.set('t', 2);
    rig.advance(1000);
    m.set('t', 3);
    expect(rig.publisher.values('t')).toEqual([1]);
    rig.advance(2999);
    expect(rig.publisher.values('t')).toEqual([1]);
    rig.advance(1);
    expect(rig.publisher.sent.map((s) => [s.value, s.atMs])).toEqual([[1, 0], [3, 5000]]);
    expect(m.stats().coalesced).toBe(1);
  });

  it('a noisy sensor is held to the minimum interval', () => {
    const m = model({ t: { type: 'number', access: 'read-only', publish: { onChange: { minDelta: 0.01, minIntervalMs: 1000 } } } });
    m.connect(rig.publisher);
    for (let i = 0; i < 10_000; i++) {
      m.set('t', i % 2 === 0 ? 10 : 11);
      rig.advance(10);
    }
    const times = rig.publisher.sent.map((s) => s.atMs);
    expect(times.length).toBeGreaterThanOrEqual(99);
    expect(times.length).toBeLessThanOrEqual(101);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1000);
  });

  it('a deferred value that fell back inside the deadband is not published', () => {
    const m = model({ t: { type: 'number', access: 'read-only', publish: { onChange: { minDelta: 1, minIntervalMs: 1000 } } } });
    m.connect(rig.publisher);
    m.set('t', 10);
    m.set('t', 12);
    m.set('t', 10.5);
    rig.advance(2000);
    expect(rig.publisher.values('t')).toEqual([10]);
  });

  it('periodic publishing while online only, with the QoS of the attribute', () => {
    const m = model({
      t: { type: 'number', access: 'read-only', initial: 5, publish: { intervalMs: 10_000, onChange: false, qos: 0 } },
    });
    m.set('t', 6); // onChange false: not published now
    m.connect(rig.publisher);
    expect(rig.publisher.sent).toEqual([{ attribute: 't', value: 6, qos: 0, atMs: 0 }]);
    m.set('t', 7);
    rig.advance(30_000);
    expect(rig.publisher.sent.map((s) => [s.value, s.atMs])).toEqual([[6, 0], [7, 10_000], [7, 20_000], [7, 30_000]]);
    m.disconnect();
    rig.advance(30_000);
    expect(rig.publisher.sent.length).toBe(4);
    expect(rig.host.sim.virtualClock!.pending).toBe(0);
  });
});

describe('offline coalescing and republish after every connect (§4.4: no retained values)', () => {
  it('keeps only the latest value per attribute while offline and sends each once at connect', () => {
    const m = model({
      a: { type: 'number', access: 'read-only' },
      b: { type: 'text', access: 'read-only', initial: 'x' },
      c: { type: 'boolean', access: 'read-only', initial: true, publish: { onConnect: false } },
      d: { type: 'boolean', access: 'read-only', initial: true, publish: { onConnect: false } },
    });
    for (let i = 0; i < 1000; i++) m.set('a', i);
    m.set('b', 'y');
    m.set('d', false);
    expect(rig.publisher.sent).toEqual([]);
    expect(m.stats().coalesced).toBe(999);
    m.connect(rig.publisher);
    // c has onConnect false and nothing new; d changed while offline, so it goes out.
    expect(rig.publisher.sent.map((s) => [s.attribute, s.value])).toEqual([['a', 999], ['b', 'y'], ['d', false]]);
    expect(m.stats().published).toBe(3);
  });

  it('publishes every current value again after a reconnect, changed or not', () => {
    const m = model({ a: { type: 'number', access: 'read-only', initial: 1 }, s: { type: 'boolean', access: 'writable', initial: false, onWrite() {} } });
    m.connect(rig.publisher);
    m.disconnect();
    m.connect(rig.publisher);
    expect(rig.publisher.sent.map((s) => [s.attribute, s.value])).toEqual([['a', 1], ['s', false], ['a', 1], ['s', false]]);
  });

  it('a publish deferred by the minimum interval when the link drops goes out at the next connect', () => {
    const m = model({ t: { type: 'number', access: 'read-only', publish: { onChange: { minIntervalMs: 5000 }, onConnect: false } } });
    m.connect(rig.publisher);
    m.set('t', 1);
    m.set('t', 2);
    m.disconnect();
    rig.advance(10_000);
    expect(rig.publisher.values('t')).toEqual([1]);
    m.connect(rig.publisher);
    expect(rig.publisher.values('t')).toEqual([1, 2]);
  });

  it('retries a publish the client refused for backpressure, without losing the latest value', () => {
    const m = model({ t: { type: 'number', access: 'read-only' } }, { retryMs: 500 });
    m.connect(rig.publisher);
    rig.publisher.refuse = { ok: false, reason: 'BACKPRESSURE' };
    m.set('t', 1);
    m.set('t', 2);
    expect(m.stats().publishFailed).toBe(2);
    rig.publisher.refuse = undefined;
    rig.advance(500);
    expect(rig.publisher.values('t')).toEqual([2]);
  });

  it('does not retry a publish that can never succeed', () => {
    const m = model({ t: { type: 'number', access: 'read-only' } }, { retryMs: 500 });
    m.connect(rig.publisher);
    rig.publisher.refuse = { ok: false, reason: 'TOO_LARGE' };
    m.set('t', 1);
    rig.publisher.refuse = undefined;
    rig.advance(5000);
    expect(rig.publisher.sent).toEqual([]);
    expect(rig.lines().some((l) => l.includes('publishing t failed: TOO_LARGE'))).toBe(true);
  });
});

describe('bindOpenRemote', () => {
  it('routes only the device asset\'s values to the model', () => {
    const m = model({ s: { type: 'boolean', access: 'writable', initial: false, onWrite() {} } });
    let handler: ((a: string, id: string, v: AttributeValue) => void) | undefined;
    bindOpenRemote(m, { identity: { assetId: 'A'.repeat(22) }, onValue: (h) => (handler = h) });
    m.connect(rig.publisher);
    handler!('s', 'B'.repeat(22), true);
    expect(m.get('s')).toBe(false);
    handler!('s', 'A'.repeat(22), true);
    expect(m.get('s')).toBe(true);
  });
});

describe('arbitrary values from the cloud (property test)', () => {
  it('never throw, never reach onWrite untyped or out of range, and always leave a typed state', () => {
    const runs = Number(process.env.FUZZ_BUDGET ?? 0) > 0 ? Math.max(2000, Math.floor(Number(process.env.FUZZ_BUDGET) / 50)) : 2000;
    const seen: unknown[] = [];
    const m = model({
      n: { type: 'number', access: 'writable', initial: 0, min: -100, max: 100, onWrite: (v) => void seen.push(['n', v]) },
      b: { type: 'boolean', access: 'writable', initial: false, onWrite: (v) => void seen.push(['b', v]) },
      t: { type: 'text', access: 'writable', initial: '', maxLength: 8, onWrite: (v) => void seen.push(['t', v]) },
      j: { type: 'json', access: 'writable', onWrite: (v) => void seen.push(['j', v]) },
      r: { type: 'number', access: 'read-only', initial: 1 },
    });
    m.connect(rig.publisher);
    fc.assert(
      fc.property(fc.constantFrom('n', 'b', 't', 'j', 'r', 'zz'), fc.jsonValue(), (name, raw) => {
        const before = m.stats();
        seen.length = 0;
        m.handleValue(name, raw as AttributeValue);
        const after = m.stats();
        const outcomes = ['applied', 'rejected', 'echoes', 'unknown'].map((k) => after[k as 'applied'] - before[k as 'applied']);
        expect(outcomes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
        for (const [attr, v] of seen as [string, unknown][]) {
          if (attr === 'n') expect(typeof v === 'number' && v >= -100 && v <= 100).toBe(true);
          if (attr === 'b') expect(typeof v).toBe('boolean');
          if (attr === 't') expect(typeof v === 'string' && v.length <= 8).toBe(true);
          if (attr === 'j') expect(v).not.toBeNull();
        }
        expect(typeof m.get('n')).toBe('number');
        expect(typeof m.get('b')).toBe('boolean');
        expect(typeof m.get('t')).toBe('string');
        expect(m.get('r')).toBe(1);
      }),
      { numRuns: runs, seed: 42 },
    );
    expect(m.stats().rejected).toBeGreaterThan(0);
    expect(m.stats().applied).toBeGreaterThan(0);
  });
});
