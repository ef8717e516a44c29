// The demo application for the simulator and `npm start`: a simulated temperature sensor (a smooth daily-like curve
// plus small noise, published on change with a deadband and minimum interval, and periodically) and a writable
// `switch` that drives a (logged) relay and is echoed back, plus the built-ins. Attribute names and types match the
// dev backend's "or-demo" model (tools/backend/model.ts). It shows the application model (attributes.ts) in use.
//
// What the simulation does not model: a real sensor's lag, drift or failures; the relay is a log line.
import type { ClockHost } from '../host/clock';
import type { CryptoHost } from '../host/crypto';
import type { TimerHost, TimerId } from '../host/timers';
import type { WifiStationHost } from '../host/wifi';
import type { Logger } from '../util/log';
import { AttributeModel, defineAttributes, type AttributePublisher } from './attributes';
import { builtinAttributes } from './builtin';

export interface DemoAppOptions {
  timers: TimerHost;
  clock: ClockHost;
  /** Noise for the simulated sensor. Give a seeded source for reproducible runs. */
  crypto: Pick<CryptoHost, 'randomBytes'>;
  wifi: Pick<WifiStationHost, 'stationInfo'>;
  logger: Logger;
  firmwareVersion: string;
  /** How often the sensor is read. Default 1000. */
  sampleMs?: number;
  /** Period of the simulated curve. Default 600000 (10 minutes, so a demo shows movement). */
  periodMs?: number;
  /** Periodic publish of temperature, rssi and uptime. Default 60000. */
  heartbeatMs?: number;
}

/** The simulated sensor: 21 °C ± 3 °C over `periodMs`, plus up to ±0.05 °C of noise, rounded to 0.01. */
export function simulatedTemperature(uptimeMs: number, periodMs: number, noiseByte: number): number {
  const curve = 21 + 3 * Math.sin((2 * Math.PI * uptimeMs) / periodMs);
  const noise = ((noiseByte & 0xff) / 255 - 0.5) * 0.1;
  return Math.round((curve + noise) * 100) / 100;
}

function demoAttributes(o: DemoAppOptions, relay: (on: boolean) => void) {
  const heartbeatMs = o.heartbeatMs ?? 60_000;
  return defineAttributes({
    ...builtinAttributes({ firmwareVersion: o.firmwareVersion, wifi: o.wifi, clock: o.clock, rssiIntervalMs: heartbeatMs, uptimeIntervalMs: heartbeatMs }),
    temperature: {
      type: 'number',
      access: 'read-only',
      // A change of 0.1 °C is news, but at most every 5 s; a heartbeat otherwise.
      publish: { onChange: { minDelta: 0.1, minIntervalMs: 5_000 }, intervalMs: heartbeatMs, qos: 1 },
    },
    switch: {
      type: 'boolean',
      access: 'writable',
      initial: false,
      onWrite(on) {
        relay(on);
      },
    },
  });
}

export class DemoApp {
  readonly model: AttributeModel<{ temperature: 'number'; switch: 'boolean'; firmwareVersion: 'text'; rssi: 'number'; uptime: 'number' }>;
  private sampler: TimerId | undefined;
  private relayOn = false;

  constructor(private readonly options: DemoAppOptions) {
    const relay = (on: boolean) => {
      this.relayOn = on;
      options.logger.info(`relay ${on ? 'on' : 'off'}`);
    };
    const attributes = demoAttributes(options, relay);
    // builtinAttributes returns optional members; the demo always has all three.
    if (!attributes.firmwareVersion || !attributes.rssi || !attributes.uptime) throw new RangeError('demo needs all built-ins');
    this.model = new AttributeModel({
      attributes: { ...attributes, firmwareVersion: attributes.firmwareVersion, rssi: attributes.rssi, uptime: attributes.uptime },
      timers: options.timers,
      clock: options.clock,
      logger: options.logger,
    });
  }

  get relay(): boolean {
    return this.relayOn;
  }

  /** Starts the sensor. Publishing follows connect()/disconnect() of the link. */
  start(): void {
    if (this.sampler !== undefined) return;
    this.sample();
    this.sampler = this.options.timers.setInterval(() => this.sample(), this.options.sampleMs ?? 1_000);
  }

  stop(): void {
    if (this.sampler !== undefined) this.options.timers.clear(this.sampler);
    this.sampler = undefined;
    this.model.stop();
  }

  /** A local change (e.g. the board's button): the relay follows and OpenRemote is told. */
  toggleSwitch(): void {
    const on = !this.relayOn;
    this.relayOn = on;
    this.options.logger.info(`relay ${on ? 'on' : 'off'} (local)`);
    this.model.set('switch', on);
  }

  connect(publisher: AttributePublisher): void {
    this.model.connect(publisher);
  }

  disconnect(): void {
    this.model.disconnect();
  }

  private sample(): void {
    const noise = this.options.crypto.randomBytes(1)[0];
    this.model.set('temperature', simulatedTemperature(this.options.clock.monotonicMs(), this.options.periodMs ?? 600_000, noise));
  }
}
