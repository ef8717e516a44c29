// Built-in attributes every device can publish without application code: firmwareVersion (from the build config,
// once per connect), rssi (Wi-Fi signal from the station info, periodic) and uptime (seconds since boot from the
// monotonic clock, periodic). Each is opt-out. Names and types match the dev backend's or-demo model
// (tools/backend/model.ts); the OpenRemote asset must declare them with accessRestrictedWrite (openremote.md §4.5).
import type { ClockHost } from '../host/clock';
import type { WifiStationHost } from '../host/wifi';
import type { AttributeSpec, PublishPolicy } from './attributes';

export interface BuiltinOptions {
  /** The build's version string; false leaves the attribute out. */
  firmwareVersion: string | false;
  /** Station info for RSSI; false leaves rssi out. */
  wifi: Pick<WifiStationHost, 'stationInfo'> | false;
  /** Monotonic clock for uptime; false leaves uptime out. */
  clock: ClockHost | false;
  /** Default 60000. */
  rssiIntervalMs?: number;
  /** Default 60000. */
  uptimeIntervalMs?: number;
  /** QoS of the periodic built-ins. Default 1 (state); 0 suits short intervals. */
  periodicQos?: 0 | 1;
}

export interface BuiltinAttributes {
  firmwareVersion?: AttributeSpec<'text'>;
  rssi?: AttributeSpec<'number'>;
  uptime?: AttributeSpec<'number'>;
}

/** The declarations to spread into defineAttributes({...builtinAttributes(...), ...}). */
export function builtinAttributes(options: BuiltinOptions): BuiltinAttributes {
  const out: BuiltinAttributes = {};
  const periodic = (intervalMs: number): PublishPolicy => ({ intervalMs, onChange: false, onConnect: true, qos: options.periodicQos ?? 1 });
  if (options.firmwareVersion !== false) {
    const version = options.firmwareVersion;
    if (version.length === 0) throw new RangeError('firmwareVersion is empty');
    // Published at every connect only: it cannot change while the firmware runs.
    out.firmwareVersion = { type: 'text', access: 'read-only', read: () => version, publish: { onChange: false, onConnect: true, qos: 1 } };
  }
  if (options.wifi !== false) {
    const wifi = options.wifi;
    // No station info (not associated) means no value: nothing is published rather than a made-up number.
    out.rssi = { type: 'number', access: 'read-only', read: () => wifi.stationInfo()?.rssi, publish: periodic(options.rssiIntervalMs ?? 60_000) };
  }
  if (options.clock !== false) {
    const clock = options.clock;
    out.uptime = { type: 'number', access: 'read-only', read: () => Math.floor(clock.monotonicMs() / 1000), publish: periodic(options.uptimeIntervalMs ?? 60_000) };
  }
  return out;
}
