// The or-cfg channel, its store and the MQTT backend link on the real XS engine (xsnap, XS 13.3): the scenarios
// in xs-cases.ts run on Node and on XS and must give identical results; the Node results are checked against
// expectations too, so "identical" cannot mean "identically broken".
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeHost } from '../../tools/sim/host/index';
import { runCasesOnBoth } from '../xs/harness';

describe('or-cfg on XS', () => {
  const host = createNodeHost({ clock: 'virtual', log: 'capture', uart: 'memory' });
  afterAll(() => host.sim.shutdown());

  it('runs unchanged and identically on Node and XS', async () => {
    const { node, xs } = await runCasesOnBoth('host-tests/openremote/xs-cases.ts', 'orCfgCases', { nodeHost: host, timeoutMs: 60_000 });
    expect(xs).toEqual(node);
    for (const [name, value] of Object.entries(node)) expect(value, name).not.toHaveProperty('error');

    const flow = node['channel: the app sequence, a wrong password, recovery, exit'] as { out: string[]; exits: number[]; label: string; stored: unknown };
    expect(flow.out).toEqual([
      '0a0130120032170a0c4134434631324233433444351a076f722d64656d6f', // DeviceInfo
      '0a01311202080342020801', // ARGUMENT_ERROR, open_remote_config {status FAIL}
      '0a013212004200', // SUCCESS
      '0a013312003a020801', // CONNECTING (start pending)
      '0a013412003a020803', // FAILED
      '0a013512004200', // SUCCESS (recovery config)
      '0a013612003a020801', // CONNECTING
      '0a013712003a020802', // CONNECTED
      '0a013812020801', // REQUEST_UNKNOWN (no body)
      '0a013912020801', // REQUEST_UNKNOWN (undecodable, id salvaged)
      '0a013912004a00', // ExitProvisioning
    ]);
    expect(flow.exits).toHaveLength(1);
    expect(JSON.parse(flow.label).openremote).toEqual({ ver: '0.1.0', cap: ['or-cfg', 'status:connected', 'link:online'] });
    expect(flow.stored).toMatchObject({ mqttPassword: 'Xy7pQ2rS9tU4vW1z', properties: { site: 'plant-7' } });

    const fuzz = node['channel: deterministic mutation fuzz (3000 inputs)'] as { tally: Record<string, number> };
    expect(Object.values(fuzz.tally).reduce((a, b) => a + b, 0)).toBe(3000);
    expect(fuzz.tally['no reply']).toBeUndefined();
    expect(fuzz.tally['1']).toBeGreaterThan(100);

    expect(node['mqtt link: CONNACK then SUBACK on a scripted socket, statuses in order']).toEqual([
      '0 CONNECTING connecting',
      '50 CONNECTING mqtt_connecting',
      '350 CONNECTING subscribing',
      '370 CONNECTED online',
      '1000 DISCONNECTED idle',
    ]);
  }, 120_000);
});
