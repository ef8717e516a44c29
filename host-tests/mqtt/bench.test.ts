// The codec bench hook (host-tests/mqtt/bench.ts) runs and measures real work on both codecs. The ratio itself is
// for `npm run bench` (goal >= 1.5x mqtt-packet); a loaded CI machine makes it too noisy to assert here.
import { describe, expect, it } from 'vitest';
import { benchMqttCodec } from './bench';

describe('MQTT codec bench hook', () => {
  it('reports messages per second for both codecs', () => {
    const r = benchMqttCodec({ budgetMs: 200 });
    expect(r.name).toBe('mqtt codec encode+decode');
    // Each round decodes every encoded message; a codec that decoded nothing would report 0.
    expect(r.oursMessagesPerSecond).toBeGreaterThan(1000);
    expect(r.mqttPacketMessagesPerSecond).toBeGreaterThan(1000);
    expect(r.ratio).toBeCloseTo(r.oursMessagesPerSecond / r.mqttPacketMessagesPerSecond, 1);
  });
});
