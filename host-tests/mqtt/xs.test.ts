// The MQTT codec, client session and OpenRemote helpers on the real XS engine (xsnap, XS 13.3): the scenarios in
// host-tests/mqtt/xs-cases.ts run on Node and on XS and must give identical results; the Node results are checked
// against expectations too, so "identical" cannot mean "identically broken".
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeHost } from '../../tools/sim/host/index';
import { runCasesOnBoth } from '../xs/harness';

describe('MQTT on XS', () => {
  const host = createNodeHost({ clock: 'virtual', log: 'capture', uart: 'memory' });
  afterAll(() => host.sim.shutdown());

  it('behaves identically on Node and XS', async () => {
    const { node, xs } = await runCasesOnBoth('host-tests/mqtt/xs-cases.ts', 'mqttCases', { nodeHost: host, timeoutMs: 60_000 });
    expect(xs).toEqual(node);
    for (const [name, value] of Object.entries(node)) expect(value, name).not.toHaveProperty('error');

    const codec = node['codec: every packet type encodes, and decodes whole and byte by byte'] as string[];
    expect(codec.length).toBe(19);
    for (const line of codec) expect(line.endsWith(' true')).toBe(true);
    expect(codec[0].startsWith('102b00044d51545404ee003c0004646576310003772f74')).toBe(true); // flags: user, password, will retain, will QoS 1, will, clean

    expect(node['codec: protocol violations get their codes']).toEqual([
      'RESERVED_PACKET_TYPE', 'INVALID_QOS', 'RESERVED_FLAGS', 'REMAINING_LENGTH_MALFORMED', 'TOPIC_EMPTY', 'TOPIC_WILDCARD',
      'INVALID_UTF8', 'INVALID_UTF8', 'PACKET_ID_ZERO', 'INVALID_RETURN_CODE', 'INVALID_RETURN_CODE', 'EMPTY_SUBSCRIPTION', 'UNSUPPORTED_PROTOCOL',
    ]);
    expect(node['codec: encoder refusals']).toEqual(['TOPIC_WILDCARD', 'PACKET_ID_ZERO', 'INVALID_UTF8', 'INVALID_TOPIC_FILTER']);

    const fuzz = node['codec: deterministic mutation fuzz (20k inputs)'] as { tally: Record<string, number> };
    expect(Object.values(fuzz.tally).reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(fuzz.tally.ok).toBeGreaterThan(500);

    const session = node['client: session with subscribe, QoS 1 both ways, reconnect with DUP, keep-alive and backoff'] as {
      events: string[];
      wire: string[][];
    };
    expect(session.events).toContain('msg master/dev1/attributevalue/setpoint/4cdWlxEvmDRBBDEuVyJAtM 3139');
    expect(session.events).toContain('delivered 1');
    expect(session.events.some((e) => e.startsWith('backing-off') && e.endsWith('CONNECTION_LOST'))).toBe(true);
    expect(session.wire[0].map((p) => JSON.parse(p).type)).toEqual(['connect', 'subscribe', 'publish', 'puback', 'pingreq']);
    expect(JSON.parse(session.wire[1][2])).toMatchObject({ type: 'publish', dup: true, packetId: 2, qos: 1 });
    expect(JSON.parse(session.wire[1].at(-1)!).type).toBe('disconnect');

    const box = node['outbox: NVS blob round trip and bound'] as { length: number; omitted: number; seqs: string[] };
    expect(box.length).toBeLessThanOrEqual(4000);
    expect(box.omitted).toBe(4); // the oldest entries give way, as with drop-oldest
    expect(box.seqs).toEqual(['5:false:500:false', '6:true:600:false', '7:false:700:false', '8:true:800:false', '9:false:900:false']);

    const or = node['openremote: topics and JSON payloads'] as string[];
    expect(JSON.parse(or[0])).toEqual({ ok: true, topic: 'r/c/writeattributevalue/temp/4cdWlxEvmDRBBDEuVyJAtM' });
    expect(JSON.parse(or[1]).ok).toBe(false);
  });
});
