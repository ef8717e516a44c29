// OpenRemoteMqtt.write as the application model's publisher (firmware/openremote/mqtt-api.ts): the topic and payload
// it hands the MQTT client, with and without a synchronised wall clock, and serverTime forcing writeattributevalue
// (openremote.md §4.5).
import { describe, expect, it } from 'vitest';
import { OpenRemoteMqtt } from '../../firmware/openremote/mqtt-api';
import type { PublishResult } from '../../firmware/mqtt/client';

const ASSET = '4cdWlxEvmDRBBDEuVyJAtM';

function rig(wall: number | undefined) {
  const sent: string[] = [];
  const client = {
    publish(topic: string, payload: Uint8Array, options: { qos?: 0 | 1 } = {}): PublishResult {
      sent.push(`${options.qos} ${topic} ${new TextDecoder().decode(payload)}`);
      return { ok: true };
    },
    subscribe: () => ({ ok: true as const }),
    unsubscribe: () => {},
  };
  const publisher = new OpenRemoteMqtt(client, { realm: 'master', clientId: 'dev1', assetId: ASSET }, { monotonicMs: () => 0, wallMs: () => wall });
  return { sent, publisher };
}

describe('OpenRemoteMqtt.write as the model publisher', () => {
  it('stamps state with the synchronised wall clock, and leaves echoes to the server', () => {
    const { sent, publisher } = rig(1_700_000_000_123.7);
    expect(publisher.write('temperature', 21.5, { qos: 0 }).ok).toBe(true);
    expect(publisher.write('switch', true, { serverTime: true }).ok).toBe(true);
    expect(sent).toEqual([
      `0 master/dev1/writeattribute/temperature/${ASSET} {"value":21.5,"timestamp":1700000000123}`,
      `1 master/dev1/writeattributevalue/switch/${ASSET} true`,
    ]);
  });

  it('never sends a 1970 timestamp: without a wall clock everything is server-stamped', () => {
    const { sent, publisher } = rig(undefined);
    publisher.write('firmwareVersion', '0.1.0', {});
    expect(sent).toEqual([`1 master/dev1/writeattributevalue/firmwareVersion/${ASSET} "0.1.0"`]);
  });

  it('refuses a bad name or a non-finite value instead of publishing it', () => {
    const { sent, publisher } = rig(undefined);
    expect(publisher.write('a/b', 1, {})).toMatchObject({ ok: false, reason: 'INVALID_TOPIC' });
    expect(publisher.write('t', NaN, {})).toMatchObject({ ok: false, reason: 'INVALID_VALUE' });
    expect(sent).toEqual([]);
  });
});
