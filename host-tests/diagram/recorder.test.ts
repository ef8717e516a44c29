// SequenceRecorder (tools/diagram/recorder.ts): order across async producers, groups, collapsing of repetitive
// runs (openremote.md §1.5: back-to-back BackendConnectionStatus polls) and secret masking.
import { describe, expect, it } from 'vitest';
import { countMessages, redact, SecretInLabelError, SequenceRecorder, type Item, type MessageItem } from '../../tools/diagram/recorder';

const PARTS = [
  { id: 'phone', label: 'Phone' },
  { id: 'device', label: 'Device' },
  { id: 'broker', label: 'Broker' },
];

function clocked(options: { minRepeat?: number; onSecret?: 'mask' | 'throw' } = {}) {
  const clock = { now: 1000 };
  const rec = new SequenceRecorder(PARTS, { clock: () => clock.now, ...options });
  return { rec, clock };
}

const messages = (items: Item[]): MessageItem[] =>
  items.flatMap((i) => (i.type === 'message' ? [i] : i.type === 'group' ? messages(i.items) : []));

describe('SequenceRecorder', () => {
  it('keeps call order across interleaved async producers and stamps ms since start', async () => {
    const { rec, clock } = clocked({ minRepeat: 0 });
    const tick = () => new Promise<void>((r) => setImmediate(r));
    const producer = async (from: string, to: string, name: string) => {
      for (let k = 0; k < 3; k++) {
        clock.now += 5;
        rec.event(from, to, `${name} ${k} at ${clock.now}`);
        await tick();
      }
    };
    await Promise.all([producer('phone', 'device', 'A'), producer('device', 'broker', 'B')]);
    const got = messages(rec.model().items).map((m) => m.label);
    expect(got).toEqual(['A 0 at 1005', 'B 0 at 1010', 'A 1 at 1015', 'B 1 at 1020', 'A 2 at 1025', 'B 2 at 1030']);
    expect(messages(rec.model().items).map((m) => m.t)).toEqual([5, 10, 15, 20, 25, 30]);
  });

  it('rejects unknown participants and ids Mermaid cannot use', () => {
    const { rec } = clocked();
    expect(() => rec.request('phone', 'nobody', 'x')).toThrow(/unknown participant/);
    expect(() => rec.note('ghost', 'x')).toThrow(/unknown participant/);
    expect(() => new SequenceRecorder([{ id: 'end', label: 'x' }])).toThrow(/bad participant id/);
    expect(() => new SequenceRecorder([{ id: 'a b', label: 'x' }])).toThrow(/bad participant id/);
    expect(() => new SequenceRecorder([{ id: 'a', label: 'x' }, { id: 'a', label: 'y' }])).toThrow(/duplicate/);
    expect(() => new SequenceRecorder([])).toThrow();
  });

  it('collapses a request/response poll loop into one arrow per direction with count, values and span', () => {
    const { rec, clock } = clocked();
    rec.request('phone', 'device', 'OpenRemoteConfig');
    rec.response('device', 'phone', 'SUCCESS');
    for (let i = 0; i < 37; i++) {
      rec.request('phone', 'device', `BackendConnectionStatus (id ${i + 2})`);
      clock.now += 25;
      rec.response('device', 'phone', i < 36 ? 'CONNECTING' : 'CONNECTED', { key: 'BackendConnectionStatus' });
      clock.now += 25;
    }
    rec.request('phone', 'device', 'ExitProvisioning');
    const got = messages(rec.model().items);
    expect(got.map((m) => m.label)).toEqual([
      'OpenRemoteConfig',
      'SUCCESS',
      'BackendConnectionStatus (id 2…38) ×37 (1.8 s)',
      'BackendConnectionStatus ×37 (CONNECTING…CONNECTED, 1.8 s)',
      'ExitProvisioning',
    ]);
    expect(got[3]!.repeat).toEqual({ count: 37, tLast: 1825, key: 'BackendConnectionStatus', labels: ['CONNECTING', 'CONNECTED'] });
    expect(got[2]!.kind).toBe('request');
    expect(got[3]!.kind).toBe('response');
    expect(countMessages(rec.model().items)).toBe(2 + 74 + 1);
  });

  it('collapses identical consecutive messages (period 1) and leaves short runs alone', () => {
    const { rec, clock } = clocked();
    for (let i = 0; i < 5; i++) {
      rec.event('device', 'broker', 'PINGREQ');
      clock.now += 200;
    }
    rec.event('device', 'broker', 'PUBLISH a');
    rec.event('device', 'broker', 'PUBLISH b');
    rec.event('broker', 'device', 'ack');
    rec.event('broker', 'device', 'ack');
    const got = messages(rec.model().items).map((m) => m.label);
    expect(got).toEqual(['PINGREQ ×5 (800 ms)', 'PUBLISH a', 'PUBLISH b', 'ack', 'ack']);
  });

  it('does not merge across a direction change, a kind change, a note or a group boundary', () => {
    const { rec } = clocked();
    for (let i = 0; i < 3; i++) rec.request('phone', 'device', 'ping');
    for (let i = 0; i < 3; i++) rec.request('device', 'phone', 'ping');
    for (let i = 0; i < 3; i++) rec.event('device', 'phone', 'ping');
    rec.request('phone', 'device', 'x');
    rec.request('phone', 'device', 'x');
    rec.note('phone', 'between');
    rec.request('phone', 'device', 'x');
    rec.group('g', () => rec.request('phone', 'device', 'x'));
    const model = rec.model();
    expect(messages(model.items).map((m) => `${m.from}>${m.to}:${m.kind}:${m.label}`)).toEqual([
      'phone>device:request:ping ×3 (0 ms)',
      'device>phone:request:ping ×3 (0 ms)',
      'device>phone:event:ping ×3 (0 ms)',
      'phone>device:request:x',
      'phone>device:request:x',
      'phone>device:request:x',
      'phone>device:request:x',
    ]);
  });

  it('minRepeat 0 keeps every message', () => {
    const { rec } = clocked({ minRepeat: 0 });
    for (let i = 0; i < 10; i++) rec.request('phone', 'device', 'poll');
    expect(messages(rec.model().items)).toHaveLength(10);
    expect(messages(rec.model().items).every((m) => m.repeat === undefined)).toBe(true);
  });

  it('labels that vary in more than one number collapse to first … last', () => {
    const { rec } = clocked();
    for (let i = 0; i < 4; i++) rec.event('device', 'broker', `PUBLISH t=${20 + i} h=${40 + 2 * i}`);
    expect(messages(rec.model().items).map((m) => m.label)).toEqual(['PUBLISH t=20 h=40 … PUBLISH t=23 h=46 ×4 (0 ms)']);
  });

  it('nests groups, closes sync and async groups, and ends at the right time', async () => {
    const { rec, clock } = clocked();
    rec.group('outer', () => {
      rec.request('phone', 'device', 'a');
      rec.group('inner', () => {
        clock.now += 10;
        rec.request('device', 'broker', 'b');
      });
    });
    await rec.group('async', async () => {
      await new Promise((r) => setTimeout(r, 1));
      clock.now += 30;
      rec.request('phone', 'device', 'c');
    });
    expect(() => rec.group('throws', () => {
      throw new Error('boom');
    })).toThrow('boom');
    const items = rec.model().items;
    expect(items.map((i) => (i.type === 'group' ? i.label : i.type))).toEqual(['outer', 'async', 'throws']);
    const outer = items[0]!;
    if (outer.type !== 'group') throw new Error('expected a group');
    expect(outer.items.map((i) => i.type)).toEqual(['message', 'group']);
    expect(outer.tEnd).toBe(10);
    const asyncGroup = items[1]!;
    expect(asyncGroup.type === 'group' && asyncGroup.tEnd).toBe(40);
  });

  it('an end() of an outer group also ends the groups opened inside it; open groups end at snapshot', () => {
    const { rec, clock } = clocked();
    const a = rec.begin('A');
    const b = rec.begin('B');
    rec.request('phone', 'device', 'in B');
    rec.end(a);
    rec.request('phone', 'device', 'after A');
    rec.end(b); // ignored: B was closed with A
    rec.begin('C');
    clock.now += 7;
    rec.request('phone', 'device', 'in C');
    const items = rec.model().items;
    expect(items.map((i) => (i.type === 'group' ? `group ${i.label}` : i.type === 'message' ? i.label : 'note'))).toEqual([
      'group A',
      'after A',
      'group C',
    ]);
    const c = items[2]!;
    expect(c.type === 'group' && c.tEnd).toBe(7);
  });

  it('masks registered secrets in labels, notes, keys and participant labels', () => {
    const pass = 'q7Rk2mZp9XcV4bNw';
    const rec = new SequenceRecorder([{ id: 'p', label: `Phone ${pass}` }, { id: 'd', label: 'Device' }], { clock: () => 0 });
    rec.secret(pass);
    rec.request('p', 'd', `OpenRemoteConfig password=${pass}`, { note: `sent ${pass}`, key: `k ${pass}` });
    rec.note('d', `stored ${pass}`);
    rec.begin(`group ${pass}`);
    const json = JSON.stringify(rec.model());
    expect(json).not.toContain(pass);
    expect(json).toContain(redact(pass));
    expect(json.split(redact(pass)).length - 1).toBe(5);
  });

  it("onSecret 'throw' refuses a label that contains a secret and records nothing", () => {
    const { rec } = clocked({ onSecret: 'throw' });
    rec.secret('correct-horse-battery');
    expect(() => rec.request('phone', 'device', 'SetConfig passphrase correct-horse-battery')).toThrow(SecretInLabelError);
    rec.request('phone', 'device', `SetConfig passphrase ${redact('correct-horse-battery')}`);
    expect(rec.size).toBe(1);
    expect(messages(rec.model().items)[0]!.label).toBe('SetConfig passphrase <redacted 21 chars>');
  });

  it('call() records the request, then the answer or the failure, and passes results and errors through', async () => {
    const { rec, clock } = clocked();
    rec.secret('s3cr3t-token');
    const value = await rec.call('phone', 'device', 'DeviceInfo', async () => {
      clock.now += 48;
      return { id: 'ESP32-1' };
    }, (r) => `device_id ${r.id}`);
    expect(value).toEqual({ id: 'ESP32-1' });
    await expect(
      rec.call('phone', 'device', 'OpenRemoteConfig', () => {
        throw new Error('rejected s3cr3t-token');
      }),
    ).rejects.toThrow('rejected');
    await rec.call('phone', 'device', 'Exit', () => 1);
    const got = messages(rec.model().items).map((m) => `${m.kind} ${m.from}>${m.to} ${m.t} ${m.label}`);
    expect(got).toEqual([
      'request phone>device 0 DeviceInfo',
      'response device>phone 48 device_id ESP32-1',
      'request phone>device 48 OpenRemoteConfig',
      'response device>phone 48 failed: rejected <redacted 12 chars>',
      'request phone>device 48 Exit',
      'response device>phone 48 OK',
    ]);
  });

  it('model() is a snapshot: later recording does not change an earlier model', () => {
    const { rec } = clocked();
    rec.request('phone', 'device', 'one');
    const first = rec.model();
    const copy = JSON.stringify(first);
    rec.request('phone', 'device', 'two');
    expect(JSON.stringify(first)).toBe(copy);
    expect(messages(rec.model().items)).toHaveLength(2);
  });
});
