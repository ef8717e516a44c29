// The application model on the real XS engine (xsnap, XS 13.3): the scenarios in xs-cases.ts run on Node and on XS
// and must give identical results; the Node results are checked against expectations too, so "identical" cannot
// mean "identically broken".
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeHost } from '../../tools/sim/host/index';
import { runCasesOnBoth } from '../xs/harness';

const ASSET = '4cdWlxEvmDRBBDEuVyJAtM';

describe('application model on XS', () => {
  const host = createNodeHost({ clock: 'virtual', log: 'capture', uart: 'memory' });
  afterAll(() => host.sim.shutdown());

  it('runs unchanged and identically on Node and XS', async () => {
    const { node, xs } = await runCasesOnBoth('host-tests/app/xs-cases.ts', 'appCases', { nodeHost: host, timeoutMs: 60_000 });
    expect(xs).toEqual(node);
    for (const [name, value] of Object.entries(node)) expect(value, name).not.toHaveProperty('error');

    expect(node['declaration: names and specs are checked at boot']).toEqual([
      'attribute name "a/b" contains \'/\', \'+\' or \'#\'',
      'attribute name contains a lone surrogate',
      'attribute s: a writable attribute needs onWrite',
      'attribute t: initial value is not a number',
      'attribute t: onChange.minDelta needs a number attribute and a finite value >= 0',
      'attribute t: publish.intervalMs must be >= 100',
      'no error',
    ]);
    expect(node['coercion: the device-side type table']).toEqual([
      'number: 5 7.5 x x x x 1 x x x',
      'boolean: x x x x true false x x x x',
      'text: x "7.5" "" "abc" x "false" x "hi" x x',
      'json: 5 "7.5" "" "abc" true "false" 1 "hi" x {"a":[1]}',
    ]);

    const s = node['session: coalescing, connect, deadband, interval, writes, echoes, refusals, redaction'] as {
      wire: string[];
      relay: boolean[];
      stats: Record<string, number>;
      log: string[];
      pendingOffline: number;
      pendingStopped: number;
    };
    const w = (kind: string, attr: string, payload: string) => `1 master/dev1/${kind}/${attr}/${ASSET} ${payload}`;
    expect(s.wire).toEqual([
      // connect: latest of 50 offline values, then every attribute
      w('writeattributevalue', 'temperature', '20.49'),
      w('writeattributevalue', 'switch', 'false'),
      w('writeattributevalue', 'level', '3'),
      w('writeattributevalue', 'token', '"Tok-Secret-4471"'),
      w('writeattributevalue', 'temperature', '20.7'), // t=5000, end of the minimum interval
      w('writeattributevalue', 'switch', 'true'), // echo of the applied write
      w('writeattributevalue', 'switch', 'true'), // refused "1": state put back
      w('writeattributevalue', 'level', '8'), // clamped
      w('writeattributevalue', 'level', '8'), // refused 2.5: state put back
      w('writeattributevalue', 'token', '"Tok-Secret-4471"'), // refused: put back
      w('writeattribute', 'switch', '{"value":false,"timestamp":1700000006000}'), // local change after SNTP
      w('writeattributevalue', 'level', '8'), // refused 11: put back, stamped by the server
      w('writeattribute', 'temperature', '{"value":20.7,"timestamp":1700000060000}'), // heartbeat
      // reconnect: everything again, temperature with the latest offline value
      w('writeattribute', 'temperature', '{"value":26,"timestamp":1700000066000}'),
      w('writeattribute', 'switch', '{"value":false,"timestamp":1700000066000}'),
      w('writeattribute', 'level', '{"value":8,"timestamp":1700000066000}'),
      w('writeattribute', 'token', '{"value":"Tok-Secret-4471","timestamp":1700000066000}'),
    ]);
    expect(s.relay).toEqual([true]);
    expect(s.stats).toEqual({ published: 17, publishFailed: 0, coalesced: 50, rejected: 4, applied: 2, echoes: 1, unknown: 1 });
    expect(s.log.some((l) => l.includes('write to token refused (longer than 16 characters): <redacted>'))).toBe(true);
    expect(s.log.join('\n')).not.toContain('Way-Too-Long');
    expect(s.log.join('\n')).not.toContain('Tok-Secret');
    expect(s.pendingOffline).toBe(0);
    expect(s.pendingStopped).toBe(0);

    const demo = node['demo: ten virtual minutes, a cloud switch write and a local toggle'] as { count: number; temps: number; first: string[]; last: string[]; relayLog: string[] };
    expect(demo.first.map((l) => l.split(' ')[1].split('/')[3])).toEqual(['firmwareVersion', 'rssi', 'uptime', 'temperature', 'switch']);
    expect(demo.temps).toBeGreaterThan(40);
    expect(demo.temps).toBeLessThanOrEqual(131);
    expect(demo.last).toEqual([w('writeattributevalue', 'switch', 'true'), w('writeattributevalue', 'switch', 'false')]);
    expect(demo.relayLog).toEqual(['info demo relay on', 'info demo relay off (local)']);
  });
});
