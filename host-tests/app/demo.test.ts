// The built-in attributes (firmware/app/builtin.ts) and the demo application (firmware/app/demo.ts) on the virtual
// clock with a fake publisher: built-ins at connect and periodically, opt-out, no RSSI without a station; the
// simulated sensor's curve, deadband and rate limit over ten minutes; the switch write driving the relay and its echo.
import { afterEach, describe, expect, it } from 'vitest';
import { AttributeModel, defineAttributes } from '../../firmware/app/attributes';
import { builtinAttributes } from '../../firmware/app/builtin';
import { DemoApp, simulatedTemperature } from '../../firmware/app/demo';
import type { WifiStationInfo } from '../../firmware/host/wifi';
import { DEFAULT_MODELS } from '../../tools/backend/model';
import { makeRig, type Rig } from './fixture';

let rig: Rig;
afterEach(() => rig?.host.sim.shutdown());

function station(rssi: number): WifiStationInfo {
  return { ssid: new Uint8Array([0x61]), bssid: new Uint8Array(6), channel: 6, rssi, auth: 3, ip: '10.0.0.2' };
}

describe('built-in attributes', () => {
  it('firmwareVersion once per connect, rssi and uptime at connect and periodically', () => {
    rig = makeRig();
    let info: WifiStationInfo | undefined = station(-61);
    rig.advance(12_345); // uptime is time since boot, not since the model was made
    const model = new AttributeModel({
      attributes: defineAttributes({
        ...builtinAttributes({ firmwareVersion: '1.2.3', wifi: { stationInfo: () => info }, clock: rig.host.clock, rssiIntervalMs: 30_000, uptimeIntervalMs: 60_000 }),
      }),
      timers: rig.host.timers,
      clock: rig.host.clock,
      logger: rig.logger,
    });
    model.connect(rig.publisher);
    expect(rig.publisher.sent.map((s) => [s.attribute, s.value, s.qos])).toEqual([
      ['firmwareVersion', '1.2.3', 1],
      ['rssi', -61, 1],
      ['uptime', 12, 1],
    ]);
    rig.publisher.clear();
    info = station(-70);
    rig.advance(60_000);
    const byTime = rig.publisher.sent.map((s) => [s.atMs, s.attribute, s.value]).sort((a, b) => String(a).localeCompare(String(b)));
    expect(byTime).toEqual([
      [42_345, 'rssi', -70],
      [72_345, 'rssi', -70],
      [72_345, 'uptime', 72],
    ]);
    rig.publisher.clear();
    info = undefined; // not associated: no made-up RSSI
    rig.advance(30_000);
    expect(rig.publisher.sent).toEqual([]);
    model.disconnect();
    model.connect(rig.publisher);
    expect(rig.publisher.values('firmwareVersion')).toEqual(['1.2.3']);
    expect(rig.publisher.values('uptime')).toEqual([102]);
  });

  it('each can be left out; an empty version is refused', () => {
    rig = makeRig();
    expect(Object.keys(builtinAttributes({ firmwareVersion: false, wifi: false, clock: false }))).toEqual([]);
    expect(Object.keys(builtinAttributes({ firmwareVersion: 'v', wifi: false, clock: rig.host.clock }))).toEqual(['firmwareVersion', 'uptime']);
    expect(() => builtinAttributes({ firmwareVersion: '', wifi: false, clock: false })).toThrow('empty');
  });
});

describe('demo app', () => {
  function demo(seed = 7) {
    rig = makeRig();
    let s = seed;
    const app = new DemoApp({
      timers: rig.host.timers,
      clock: rig.host.clock,
      crypto: { randomBytes: (n) => Uint8Array.from({ length: n }, () => (s = (s * 1103515245 + 12345) >>> 0) >>> 24) },
      wifi: { stationInfo: () => station(-55) },
      logger: rig.logger,
      firmwareVersion: '0.1.0',
    });
    return app;
  }

  it('simulated temperature is a smooth curve around 21 °C with at most ±0.05 of noise', () => {
    expect(simulatedTemperature(0, 600_000, 127.5)).toBe(21);
    expect(simulatedTemperature(150_000, 600_000, 0)).toBe(23.95);
    expect(simulatedTemperature(150_000, 600_000, 255)).toBe(24.05);
    expect(simulatedTemperature(450_000, 600_000, 128)).toBe(18);
    for (let t = 0; t < 600_000; t += 997) {
      const v = simulatedTemperature(t, 600_000, t & 0xff);
      expect(v).toBeGreaterThanOrEqual(17.95);
      expect(v).toBeLessThanOrEqual(24.05);
    }
  });

  it('declares exactly the attributes and types of the backend\'s or-demo model', () => {
    const app = demo();
    const model = DEFAULT_MODELS['or-demo'].attributes;
    app.start();
    app.connect(rig.publisher);
    const sent = new Map(rig.publisher.sent.map((s) => [s.attribute, s.value]));
    const jsType = { number: 'number', boolean: 'boolean', text: 'string' } as Record<string, string>;
    expect([...sent.keys()].sort()).toEqual(Object.keys(model).filter((n) => n !== 'connected').sort());
    for (const [name, value] of sent) expect(typeof value, name).toBe(jsType[model[name].type]);
    app.stop();
  });

  it('publishes the sensor on change (≥ 0.1 °C, ≤ 1 per 5 s) and as a heartbeat', () => {
    const app = demo();
    app.start();
    app.connect(rig.publisher);
    rig.advance(600_000);
    const temps = rig.publisher.sent.filter((s) => s.attribute === 'temperature');
    // The curve moves about 0.03 °C/s at its steepest, so roughly every 5 s near the slopes, less at the peaks.
    expect(temps.length).toBeGreaterThan(40);
    expect(temps.length).toBeLessThanOrEqual(600_000 / 5_000 + 10 + 1);
    let previous = temps[0];
    for (const t of temps.slice(1)) {
      const heartbeat = t.atMs % 60_000 === 0;
      if (!heartbeat) {
        expect(t.atMs - previous.atMs).toBeGreaterThanOrEqual(5_000);
        expect(Math.abs((t.value as number) - (previous.value as number))).toBeGreaterThanOrEqual(0.1 - 1e-9);
      }
      previous = t;
    }
    expect(temps.every((t) => t.qos === 1)).toBe(true);
    app.stop();
    expect(rig.host.sim.virtualClock!.pending).toBe(0);
  });

  it('a switch write from the cloud drives the relay and is echoed; a local toggle is published', () => {
    const app = demo();
    app.start();
    app.connect(rig.publisher);
    rig.publisher.clear();
    app.model.handleValue('switch', true);
    expect(app.relay).toBe(true);
    expect(rig.lines().some((l) => l.includes('relay on'))).toBe(true);
    expect(rig.publisher.sent.map((s) => [s.attribute, s.value, s.qos])).toEqual([['switch', true, 1]]);
    app.model.handleValue('switch', 1); // not a boolean: refused, the real state put back
    expect(app.relay).toBe(true);
    expect(rig.publisher.values('switch')).toEqual([true, true]);
    app.toggleSwitch();
    expect(app.relay).toBe(false);
    expect(rig.lines().some((l) => l.includes('relay off (local)'))).toBe(true);
    expect(rig.publisher.values('switch')).toEqual([true, true, false]);
    app.stop();
  });

  it('while offline the sensor coalesces; the reconnect sends the latest value', () => {
    const app = demo();
    app.start();
    rig.advance(120_000);
    expect(rig.publisher.sent).toEqual([]);
    expect(app.model.stats().coalesced).toBeGreaterThan(100);
    app.connect(rig.publisher);
    expect(rig.publisher.values('temperature')).toEqual([app.model.get('temperature')]);
    app.stop();
  });
});
