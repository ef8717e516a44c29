// The phone app's two backend calls (openremote.md §1.5 steps 3-4, §3.2): a Keycloak password-grant login at
// /auth/realms/{realm}/protocol/openid-connect/token (the web app holds this token in the real flow) and
// POST {api}/api/{realm}/rest/device with {modelName, deviceId, password} and the bearer token. Error codes as
// the Android app maps them (§2.6): 401 → 400, anything else → 10000. Tokens and passwords are never logged.
import * as nodeCrypto from 'node:crypto';
import { OR_ERROR, ProvError } from './errors';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 16 random characters from [A-Za-z0-9], drawn without modulo bias (the apps' service-user password, §1.5). */
export function generateDevicePassword(length = 16): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[nodeCrypto.randomInt(ALPHABET.length)];
  return out;
}

async function call(url: string, init: RequestInit, what: string, timeoutMs: number): Promise<{ status: number; json: unknown; type: string }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new ProvError(OR_ERROR.genericError, `${what}: ${(error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message}`, what);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, type: (res.headers.get('content-type') ?? '').split(';')[0]!.trim() };
}

/** A short, secret-free description of a backend error body (`error` / `error_description` only). */
function reason(json: unknown): string {
  if (typeof json !== 'object' || json === null) return '';
  const j = json as Record<string, unknown>;
  const text = [j.error, j.error_description].filter((v) => typeof v === 'string').join(': ');
  return text ? ` (${text.slice(0, 160)})` : '';
}

export async function login(options: { backend: string; realm: string; user: string; password: string; clientId?: string; timeoutMs?: number }): Promise<string> {
  const url = new URL(`/auth/realms/${encodeURIComponent(options.realm)}/protocol/openid-connect/token`, options.backend);
  const body = new URLSearchParams({ grant_type: 'password', client_id: options.clientId ?? 'openremote', username: options.user, password: options.password });
  const r = await call(url.href, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body }, 'login', options.timeoutMs ?? 30_000);
  if (r.status === 401) throw new ProvError(OR_ERROR.securityError, `login refused (HTTP 401)${reason(r.json)}`, 'login');
  if (r.status < 200 || r.status > 299) throw new ProvError(OR_ERROR.genericError, `login failed (HTTP ${r.status})${reason(r.json)}`, 'login');
  const token = (r.json as Record<string, unknown> | undefined)?.access_token;
  if (typeof token !== 'string' || !token) throw new ProvError(OR_ERROR.genericError, 'login: no access_token in the answer', 'login');
  return token;
}

export interface ProvisionedAsset {
  assetId: string;
  /** Android forwards an optional `properties` object as strings (openremote.md §1.2, §3.2). */
  properties?: Record<string, string>;
}

export async function provisionDevice(options: {
  backend: string;
  realm: string;
  token: string;
  deviceId: string;
  password: string;
  modelName: string;
  timeoutMs?: number;
}): Promise<ProvisionedAsset> {
  const url = new URL(`/api/${encodeURIComponent(options.realm)}/rest/device`, options.backend);
  // deviceId exactly as the device reported it, not lower-cased (§3.2).
  const body = JSON.stringify({ modelName: options.modelName, deviceId: options.deviceId, password: options.password });
  const r = await call(
    url.href,
    { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${options.token}` }, body },
    'rest/device',
    options.timeoutMs ?? 30_000,
  );
  if (r.status === 401) throw new ProvError(OR_ERROR.securityError, `rest/device: token refused (HTTP 401)${reason(r.json)}`, 'rest/device');
  if (r.status < 200 || r.status > 299) throw new ProvError(OR_ERROR.genericError, `rest/device failed (HTTP ${r.status})${reason(r.json)}`, 'rest/device');
  // iOS parses only application/json bodies (§2.9); we hold the backend to the same rule.
  if (r.type !== 'application/json') throw new ProvError(OR_ERROR.genericError, `rest/device: answer is ${r.type || 'untyped'}, not application/json`, 'rest/device');
  const j = r.json as Record<string, unknown> | undefined;
  if (typeof j?.assetId !== 'string' || !j.assetId) throw new ProvError(OR_ERROR.genericError, 'rest/device: no assetId in the answer', 'rest/device');
  const result: ProvisionedAsset = { assetId: j.assetId };
  if (typeof j.properties === 'object' && j.properties !== null && !Array.isArray(j.properties)) {
    result.properties = Object.fromEntries(Object.entries(j.properties as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }
  return result;
}
