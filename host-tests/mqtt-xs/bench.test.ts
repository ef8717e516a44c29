// Keeps tools/bench/mqtt-xs.ts (MQTT on XS: computrons per publish, publish→subscriber latency over local TLS) working:
// a short run whose figures must be internally consistent. The figures themselves are reported by `npm run bench`,
// never asserted against a speed (this machine is shared).
import { describe, expect, it } from 'vitest';
import { benchMqttOnXs } from '../../tools/bench/mqtt-xs';

describe('benchMqttOnXs', () => {
  it('measures QoS 0 and QoS 1 publishes on XS end to end', async () => {
    const r = await benchMqttOnXs({ messages: 20 });
    expect(r.messages).toBe(20);
    // A publish costs at least its encoding and two host calls; QoS 1 adds the outbox and the PUBACK's processing.
    expect(r.qos0Computrons.median).toBeGreaterThan(r.encodeComputrons + r.hostCallComputrons);
    expect(r.qos1Computrons.median).toBeGreaterThan(r.qos0Computrons.median);
    // Computrons are deterministic: the same publish costs (nearly) the same every time.
    expect(r.qos0Computrons.max - r.qos0Computrons.min).toBeLessThan(r.qos0Computrons.median / 10);
    for (const d of [r.qos0LatencyMs, r.qos1LatencyMs, r.qos1PubackMs]) {
      expect(d.min).toBeGreaterThan(0);
      expect(d.median).toBeLessThanOrEqual(d.p95);
      expect(d.p95).toBeLessThanOrEqual(d.max);
    }
  }, 60_000);
});
