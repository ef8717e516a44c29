// Shared setup for the backend tests: a backend on ephemeral ports with captured logs, and HTTP helpers for the
// token grant and /rest/device.
import { startBackend, type Backend, type BackendOptions } from '../../tools/backend/index';

export interface Harness {
  backend: Backend;
  logs: string[];
  base: string;
}

export async function startHarness(options: BackendOptions = {}): Promise<Harness> {
  const logs: string[] = [];
  const backend = await startBackend({
    httpPort: 0,
    mqttPort: 0,
    users: [
      { realm: 'master', username: 'admin', password: 'Admin-Pw-91' },
      { realm: 'other', username: 'bob', password: 'Bob-Pw-92' },
    ],
    log: (line) => logs.push(line),
    ...options,
  });
  return { backend, logs, base: `http://127.0.0.1:${backend.httpPort}` };
}

export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });
}

export async function humanToken(h: Harness, realm = 'master', username = 'admin', password = 'Admin-Pw-91'): Promise<string> {
  const res = await postForm(`${h.base}/auth/realms/${realm}/protocol/openid-connect/token`, { grant_type: 'password', username, password });
  if (res.status !== 200) throw new Error(`password grant failed: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function provisionDevice(
  h: Harness,
  token: string,
  body: unknown,
  realm = 'master',
): Promise<{ status: number; contentType: string | null; json: Record<string, unknown> }> {
  const res = await fetch(`${h.base}/api/${realm}/rest/device`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), json: (await res.json()) as Record<string, unknown> };
}

/** Provisions `deviceId` (model or-demo) and returns its asset id. */
export async function provisioned(h: Harness, deviceId: string, password: string, realm = 'master'): Promise<string> {
  const token = realm === 'master' ? await humanToken(h) : await humanToken(h, 'other', 'bob', 'Bob-Pw-92');
  const r = await provisionDevice(h, token, { deviceId, password, modelName: 'or-demo' }, realm);
  if (r.status !== 201 && r.status !== 200) throw new Error(`provisioning failed: ${r.status}`);
  return r.json.assetId as string;
}
