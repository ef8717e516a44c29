// The simulator's Wi-Fi world: a JSON list of access points the simulated station can scan and join
// (firmware/host/wifi.ts contract). This file parses and validates it with errors that name the offending field.
// Format: {"aps":[{"ssid","password","auth","rssi","channel","bssid"?,"hidden"?,"dhcpDelayMs"?,"dhcpFails"?, …}]}
import { readFileSync } from 'node:fs';
import { WIFI_AUTH_MODE } from '../../../firmware/provisioning/auth-mode';

/** wifi_auth_mode_t names accepted for "auth", besides numbers: the firmware's table (the single source) plus
 * IDF's alias ENTERPRISE = WPA2_ENTERPRISE, listed right after it. */
export const AUTH_MODES: Record<string, number> = {};
for (const [name, value] of Object.entries(WIFI_AUTH_MODE)) {
  AUTH_MODES[name] = value;
  if (name === 'WPA2_ENTERPRISE') AUTH_MODES.ENTERPRISE = value;
}

export interface AccessPoint {
  ssid: Uint8Array; // 1..32 bytes (UTF-8 of the JSON string)
  ssidText: string;
  password: string; // ignored for open networks
  auth: number; // raw wifi_auth_mode_t, may be >= 8
  rssi: number; // dBm, -127..0
  channel: number; // 1..14
  bssid: Uint8Array; // 6 bytes
  hidden: boolean; // beacons carry an empty SSID; joinable by exact SSID only
  ip: string; // the address the AP's DHCP server hands out
  dhcpDelayMs: number;
  dhcpFails: boolean;
  /** How long a station without a lease waits before the simulator ends the association (see station.ts). */
  dhcpTimeoutMs: number;
  /** Reason sent for a wrong passphrase: 15 (4-way handshake timeout) or 202 (auth fail), etc. */
  wrongPasswordReason: number;
  /** Time from association to the wrong-passphrase disconnect. */
  wrongPasswordDelayMs: number;
}

export interface WifiWorld {
  aps: AccessPoint[];
}

export class WorldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorldError';
  }
}

const SAE_MODES = new Set<number>([WIFI_AUTH_MODE.WPA3_PSK, WIFI_AUTH_MODE.WPA3_EXT_PSK, WIFI_AUTH_MODE.WPA3_EXT_PSK_MIXED_MODE]); // WPA3-Personal: a wrong password fails SAE authentication itself

export function defaultWrongPasswordReason(auth: number): number {
  // ESP32s commonly report 15 (4WAY_HANDSHAKE_TIMEOUT) for a wrong WPA/WPA2 passphrase: the AP never sends
  // message 3 (field-notes.md §2 item 2). WPA3 fails earlier, in the SAE exchange: 202 AUTH_FAIL.
  return SAE_MODES.has(auth) ? 202 : 15;
}

function fail(where: string, message: string): never {
  throw new WorldError(`Wi-Fi world: ${where}: ${message}`);
}

function parseBssid(where: string, text: unknown): Uint8Array {
  if (typeof text !== 'string' || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(text)) fail(where, 'bssid must look like "aa:bb:cc:dd:ee:ff"');
  return Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)));
}

function int(where: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(where, `must be an integer ${min}..${max}`);
  return value;
}

const KNOWN_KEYS = new Set([
  'ssid',
  'password',
  'auth',
  'rssi',
  'channel',
  'bssid',
  'hidden',
  'ip',
  'dhcpDelayMs',
  'dhcpFails',
  'dhcpTimeoutMs',
  'wrongPasswordReason',
  'wrongPasswordDelayMs',
  'comment',
]);

export function parseWorld(json: unknown): WifiWorld {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('top level', 'must be an object {"aps":[…]}');
  const top = json as Record<string, unknown>;
  for (const k of Object.keys(top)) if (k !== 'aps' && k !== 'comment') fail('top level', `unknown key "${k}"`);
  if (!Array.isArray(top.aps)) fail('top level', '"aps" must be an array');
  const seen = new Set<string>();
  const aps = top.aps.map((raw, i): AccessPoint => {
    let where = `aps[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(where, 'must be an object');
    const o = raw as Record<string, unknown>;
    if (typeof o.ssid !== 'string') fail(where, '"ssid" must be a string');
    where = `aps[${i}] ("${o.ssid}")`;
    for (const k of Object.keys(o)) if (!KNOWN_KEYS.has(k)) fail(where, `unknown key "${k}"`);
    const ssid = new TextEncoder().encode(o.ssid);
    if (ssid.length < 1 || ssid.length > 32) fail(where, 'ssid must be 1..32 bytes of UTF-8');
    let auth: number;
    if (typeof o.auth === 'string') {
      const v = AUTH_MODES[o.auth.toUpperCase()];
      if (v === undefined) fail(where, `unknown auth "${o.auth}" (use one of ${Object.keys(AUTH_MODES).join(', ')} or a number)`);
      auth = v;
    } else auth = int(`${where}.auth`, o.auth, 0, 255);
    const password = o.password ?? '';
    if (typeof password !== 'string') fail(where, '"password" must be a string');
    const pwBytes = new TextEncoder().encode(password).length;
    if (auth === 0 || auth === 9) {
      if (pwBytes) fail(where, 'an open/OWE network has no password');
    } else if (pwBytes < 1 || pwBytes > 63) fail(where, 'password must be 1..63 bytes for a secured network');
    const channel = int(`${where}.channel`, o.channel, 1, 14);
    const rssi = int(`${where}.rssi`, o.rssi, -127, 0);
    const bssid = o.bssid === undefined ? Uint8Array.of(0x02, 0x5a, 0x00, 0x00, 0x00, i + 1) : parseBssid(where, o.bssid);
    const key = Array.from(bssid).join(':');
    if (seen.has(key)) fail(where, 'duplicate bssid');
    seen.add(key);
    if (o.hidden !== undefined && typeof o.hidden !== 'boolean') fail(where, '"hidden" must be true or false');
    if (o.dhcpFails !== undefined && typeof o.dhcpFails !== 'boolean') fail(where, '"dhcpFails" must be true or false');
    const ip = o.ip ?? `192.168.${i + 1}.42`;
    if (typeof ip !== 'string' || !/^(\d{1,3})(\.\d{1,3}){3}$/.test(ip) || ip.split('.').some((p) => Number(p) > 255)) {
      fail(where, '"ip" must be a dotted quad');
    }
    return {
      ssid,
      ssidText: o.ssid,
      password,
      auth,
      rssi,
      channel,
      bssid,
      hidden: o.hidden === true,
      ip,
      dhcpDelayMs: o.dhcpDelayMs === undefined ? 300 : int(`${where}.dhcpDelayMs`, o.dhcpDelayMs, 0, 600_000),
      dhcpFails: o.dhcpFails === true,
      dhcpTimeoutMs: o.dhcpTimeoutMs === undefined ? 10_000 : int(`${where}.dhcpTimeoutMs`, o.dhcpTimeoutMs, 0, 600_000),
      wrongPasswordReason:
        o.wrongPasswordReason === undefined ? defaultWrongPasswordReason(auth) : int(`${where}.wrongPasswordReason`, o.wrongPasswordReason, 1, 255),
      wrongPasswordDelayMs: o.wrongPasswordDelayMs === undefined ? 1200 : int(`${where}.wrongPasswordDelayMs`, o.wrongPasswordDelayMs, 0, 600_000),
    };
  });
  return { aps };
}

export function loadWorldFile(path: string): WifiWorld {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new WorldError(`Wi-Fi world: cannot read ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WorldError(`Wi-Fi world: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseWorld(json);
}

export const DEFAULT_WORLD_PATH = new URL('./default-world.json', import.meta.url);
