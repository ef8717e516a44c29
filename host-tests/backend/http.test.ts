// Tests for the dev backend's HTTP API (tools/backend/http.ts): the Keycloak-like token grants, POST
// /api/{realm}/rest/device (openremote.md §3: 201/200, idempotency, 401/400/409, exact application/json), reading
// an asset (restricted view for the device's service user) and a user writing an attribute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { humanToken, postForm, provisionDevice, startHarness, type Harness } from './fixture';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ models: { 'or-demo': (await import('../../tools/backend/model')).DEFAULT_MODELS['or-demo']!, 'with-props': { assetType: 'ThingAsset', attributes: { level: { type: 'number' } }, properties: { interval: '30' } } } });
});
afterAll(async () => {
  await h.backend.stop();
});

const tokenUrl = (realm = 'master') => `${h.base}/auth/realms/${realm}/protocol/openid-connect/token`;

describe('token endpoint', () => {
  it('grants a password token to the configured human user and refuses bad credentials with 401 JSON', async () => {
    const ok = await postForm(tokenUrl(), { grant_type: 'password', username: 'admin', password: 'Admin-Pw-91', client_id: 'openremote' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/json');
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(300);
    expect(typeof body.access_token).toBe('string');
    expect((body.access_token as string).length).toBeGreaterThanOrEqual(32);

    const bad = await postForm(tokenUrl(), { grant_type: 'password', username: 'admin', password: 'wrong' });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as Record<string, unknown>).error).toBe('invalid_grant');
    // The user exists in realm master only.
    expect((await postForm(tokenUrl('other'), { grant_type: 'password', username: 'admin', password: 'Admin-Pw-91' })).status).toBe(401);
  });

  it('grants client_credentials to a service user (form or HTTP Basic), never to a human, and rejects unknown grants', async () => {
    const t = await humanToken(h);
    expect((await provisionDevice(h, t, { deviceId: 'Svc01', password: 'svcpw', modelName: 'or-demo' })).status).toBe(201);
    const form = await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: 'svc01', client_secret: 'svcpw' });
    expect(form.status).toBe(200);
    const basic = await postForm(tokenUrl(), { grant_type: 'client_credentials' }, { Authorization: `Basic ${Buffer.from('svc01:svcpw').toString('base64')}` });
    expect(basic.status).toBe(200);
    expect((await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: 'svc01', client_secret: 'nope' })).status).toBe(401);
    expect((await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: 'admin', client_secret: 'Admin-Pw-91' })).status).toBe(401);
    expect((await postForm(tokenUrl(), { grant_type: 'password', username: 'svc01', password: 'svcpw' })).status).toBe(401);
    const unknown = await postForm(tokenUrl(), { grant_type: 'implicit' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as Record<string, unknown>).error).toBe('unsupported_grant_type');
    const notForm = await fetch(tokenUrl(), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(notForm.status).toBe(400);
  });
});

describe('POST /api/{realm}/rest/device', () => {
  it('creates the asset and a lower-cased service user (201), then is idempotent (200, false/false)', async () => {
    const t = await humanToken(h);
    const first = await provisionDevice(h, t, { deviceId: 'ESP32-AABBCC', password: 'p1', modelName: 'or-demo' });
    expect(first.status).toBe(201);
    expect(first.contentType).toBe('application/json');
    expect(first.json).toEqual({ assetId: expect.stringMatching(/^[0-9A-Za-z]{22}$/), assetCreated: true, serviceUserCreated: true });
    const again = await provisionDevice(h, t, { deviceId: 'ESP32-AABBCC', password: 'p1', modelName: 'or-demo' });
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ assetId: first.json.assetId, assetCreated: false, serviceUserCreated: false });
    // The app lower-cases the username (§1.5); the service user exists under that name only.
    const user = h.backend.core.getUser('master', 'esp32-aabbcc');
    expect(user?.kind).toBe('service');
    expect(user?.username).toBe('esp32-aabbcc');
    expect(user?.linkedAssets.has(first.json.assetId as string)).toBe(true);
    expect(h.backend.core.getUser('master', 'admin')?.linkedAssets.has(first.json.assetId as string)).toBe(true);
  });

  it('updates the secret on re-provisioning', async () => {
    const t = await humanToken(h);
    await provisionDevice(h, t, { deviceId: 'rotate1', password: 'old', modelName: 'or-demo' });
    const r = await provisionDevice(h, t, { deviceId: 'rotate1', password: 'new', modelName: 'or-demo' });
    expect(r.status).toBe(200);
    expect((await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: 'rotate1', client_secret: 'old' })).status).toBe(401);
    expect((await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: 'rotate1', client_secret: 'new' })).status).toBe(200);
  });

  it('answers 401 without a valid token and 403 for a token of another realm or a service user', async () => {
    const body = { deviceId: 'x1', password: 'p', modelName: 'or-demo' };
    const none = await fetch(`${h.base}/api/master/rest/device`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/json');
    expect((await provisionDevice(h, 'not-a-token', body)).status).toBe(401);
    const bob = await humanToken(h, 'other', 'bob', 'Bob-Pw-92');
    expect((await provisionDevice(h, bob, body, 'master')).status).toBe(403);
    const t = await humanToken(h);
    await provisionDevice(h, t, { deviceId: 'svc2', password: 'pw', modelName: 'or-demo' });
    const svc = (await (await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: 'svc2', client_secret: 'pw' })).json()) as { access_token: string };
    expect((await provisionDevice(h, svc.access_token, body)).status).toBe(403);
  });

  it('answers 400 for a bad body', async () => {
    const t = await humanToken(h);
    const cases: unknown[] = [
      'not json',
      '[]',
      'null',
      { password: 'p', modelName: 'or-demo' },
      { deviceId: '', password: 'p', modelName: 'or-demo' },
      { deviceId: 'd', password: 5, modelName: 'or-demo' },
      { deviceId: 'd', password: 'p' },
      { deviceId: 'a/b', password: 'p', modelName: 'or-demo' },
      { deviceId: 'realm:x', password: 'p', modelName: 'or-demo' },
    ];
    for (const body of cases) {
      const r = await provisionDevice(h, t, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.contentType).toBe('application/json');
    }
    const wrongType = await fetch(`${h.base}/api/master/rest/device`, { method: 'POST', headers: { 'Content-Type': 'text/plain', Authorization: `Bearer ${t}` }, body: '{}' });
    expect(wrongType.status).toBe(400);
  });

  it('answers 409 for an unknown modelName and for a known device bound to another model', async () => {
    const t = await humanToken(h);
    expect((await provisionDevice(h, t, { deviceId: 'm1', password: 'p', modelName: 'no-such-model' })).status).toBe(409);
    expect((await provisionDevice(h, t, { deviceId: 'm1', password: 'p', modelName: 'or-demo' })).status).toBe(201);
    const clash = await provisionDevice(h, t, { deviceId: 'M1', password: 'p', modelName: 'with-props' });
    expect(clash.status).toBe(409);
    expect(clash.contentType).toBe('application/json');
  });

  it('returns the model properties Android forwards to the device', async () => {
    const t = await humanToken(h);
    const r = await provisionDevice(h, t, { deviceId: 'p1', password: 'p', modelName: 'with-props' });
    expect(r.json.properties).toEqual({ interval: '30' });
  });
});

describe('assets', () => {
  it('GET shows all attributes to the human user and only accessRestrictedRead ones to the device, PUT writes', async () => {
    const t = await humanToken(h);
    const created = await provisionDevice(h, t, { deviceId: 'reader', password: 'rpw', modelName: 'with-props' });
    const id = created.json.assetId as string;
    const put = await fetch(`${h.base}/api/master/asset/${id}/attribute/level`, { method: 'PUT', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${t}` }, body: '"42"' });
    expect(put.status).toBe(204);
    const human = await fetch(`${h.base}/api/master/asset/${id}`, { headers: { Authorization: `Bearer ${t}` } });
    expect(human.status).toBe(200);
    const asset = (await human.json()) as { id: string; attributes: Record<string, { value: unknown; timestamp: number }> };
    expect(asset.id).toBe(id);
    expect(asset.attributes.level!.value).toBe(42); // coerced to the number type
    expect(asset.attributes.level!.timestamp).toBeGreaterThan(0);

    const svc = (await (await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: 'reader', client_secret: 'rpw' })).json()) as { access_token: string };
    const restricted = (await (await fetch(`${h.base}/api/master/asset/${id}`, { headers: { Authorization: `Bearer ${svc.access_token}` } })).json()) as { attributes: Record<string, unknown> };
    expect(restricted.attributes).toEqual({}); // `level` has no accessRestrictedRead
    const svcPut = await fetch(`${h.base}/api/master/asset/${id}/attribute/level`, { method: 'PUT', headers: { Authorization: `Bearer ${svc.access_token}` }, body: '1' });
    expect(svcPut.status).toBe(403);

    const bad = await fetch(`${h.base}/api/master/asset/${id}/attribute/level`, { method: 'PUT', headers: { Authorization: `Bearer ${t}` }, body: '{"a":1}' });
    expect(bad.status).toBe(400);
    expect((await fetch(`${h.base}/api/master/asset/${id}/attribute/nope`, { method: 'PUT', headers: { Authorization: `Bearer ${t}` }, body: '1' })).status).toBe(404);
    expect((await fetch(`${h.base}/api/master/asset/0000000000000000000000`, { headers: { Authorization: `Bearer ${t}` } })).status).toBe(404);
    expect((await fetch(`${h.base}/api/master/asset/${id}`)).status).toBe(401);
    // Another device's service user is not linked to this asset.
    await provisionDevice(h, t, { deviceId: 'stranger', password: 'spw', modelName: 'or-demo' });
    const stranger = (await (await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: 'stranger', client_secret: 'spw' })).json()) as { access_token: string };
    expect((await fetch(`${h.base}/api/master/asset/${id}`, { headers: { Authorization: `Bearer ${stranger.access_token}` } })).status).toBe(403);
  });

  it('never logs secrets or tokens', () => {
    const all = h.logs.join('\n');
    for (const secret of ['Admin-Pw-91', 'Bob-Pw-92', 'svcpw', 'rpw', 'spw']) expect(all).not.toMatch(new RegExp(`\\b${secret}\\b`));
    expect(all).not.toMatch(/[A-Za-z0-9_-]{43}/); // bearer tokens are 32 random bytes, base64url
    expect(h.logs.length).toBeGreaterThan(5); // the check above looked at real log lines
  });
});
