// Tests for the dev backend's lifecycle (tools/backend/index.ts, main.ts): per-client keepalive (a silent client
// is dropped after 1.5 × keepalive and its will fires, openremote.md §4.4/§4.6), the data directory keeping the
// PKI and provisioned devices across restarts, the CLI printing the CA path and ports, and a fuzz of random
// payloads on an authorised topic (never a crash, never a disconnect).
import { spawn } from 'node:child_process';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzBudget } from '../fixtures/fuzz';
import { humanToken, postForm, provisionDevice, provisioned, startHarness } from './fixture';
import { roundTrip, TestMqttClient } from './mqtt-test-client';

describe('keepalive (§4.4)', () => {
  it('drops a client that stays silent past 1.5 × keepalive, and its will fires', async () => {
    const h = await startHarness();
    try {
      const assetId = await provisioned(h, 'ka1', 'Ka-Pw-61');
      const c = await TestMqttClient.connect({
        port: h.backend.mqttPort,
        ca: h.backend.caPem,
        clientId: 'ka1',
        username: 'master:ka1',
        password: 'Ka-Pw-61',
        keepalive: 1,
        will: { topic: `master/ka1/writeattributevalue/firmwareVersion/${assetId}`, payload: '"timed out"' },
      });
      expect(c.connack?.returnCode).toBe(0);
      const t0 = Date.now();
      await c.waitForClose(4000);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
      const until = Date.now() + 2000;
      while (h.backend.core.getAsset(assetId)!.attributes.firmwareVersion!.value !== 'timed out' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(h.backend.core.getAsset(assetId)!.attributes.firmwareVersion!.value).toBe('timed out');
    } finally {
      await h.backend.stop();
    }
  });
});

describe('data directory', () => {
  it('keeps the CA and the provisioned devices across restarts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'or-backend-'));
    try {
      const first = await startHarness({ dataDir: dir });
      const assetId = await provisioned(first, 'keep1', 'Keep-Pw-71');
      const c = await TestMqttClient.connect({ port: first.backend.mqttPort, ca: first.backend.caPem, clientId: 'keep1', username: 'master:keep1', password: 'Keep-Pw-71' });
      c.publish(`master/keep1/writeattributevalue/temperature/${assetId}`, '12.5');
      await roundTrip(c);
      const ca = first.backend.caPem;
      expect(first.backend.caPath).toBe(path.join(dir, 'pki', 'ca.crt'));
      await first.backend.stop();
      expect(fs.statSync(path.join(dir, 'state.json')).mode & 0o077).toBe(0);

      const second = await startHarness({ dataDir: dir });
      try {
        expect(second.backend.caPem).toBe(ca);
        const asset = second.backend.core.getAsset(assetId)!;
        expect(asset.attributes.temperature!.value).toBe(12.5);
        expect(asset.attributes.connected!.value).toBe(false); // nobody is connected to a fresh broker
        const again = await provisionDevice(second, await humanToken(second), { deviceId: 'keep1', password: 'Keep-Pw-71', modelName: 'or-demo' });
        expect(again.json).toEqual({ assetId, assetCreated: false, serviceUserCreated: false });
        const grant = await postForm(`${second.base}/auth/realms/master/protocol/openid-connect/token`, { grant_type: 'client_credentials', client_id: 'keep1', client_secret: 'Keep-Pw-71' });
        expect(grant.status).toBe(200);
      } finally {
        await second.backend.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI', () => {
  it('starts on ephemeral ports, prints the CA path and ports, and stops on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'or-backend-cli-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/backend/main.ts', '--http-port', '0', '--mqtt-port', '0', '--data', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const until = Date.now() + 20_000;
      while (!out.includes('MQTT over TLS') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain(`CA certificate: ${path.join(dir, 'pki', 'ca.crt')}`);
      const httpPort = Number(/API: port (\d+)/.exec(out)?.[1]);
      const mqttPort = Number(/MQTT over TLS: port (\d+)/.exec(out)?.[1]);
      expect(httpPort).toBeGreaterThan(0);
      const grant = await postForm(`http://127.0.0.1:${httpPort}/auth/realms/master/protocol/openid-connect/token`, { grant_type: 'password', username: 'admin', password: 'secret' });
      expect(grant.status).toBe(200);
      const c = await TestMqttClient.connect({ port: mqttPort, ca: fs.readFileSync(path.join(dir, 'pki', 'ca.crt'), 'utf8'), clientId: 'x', username: 'master:nobody', password: 'x' });
      expect(c.connack?.returnCode).toBe(5);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fuzz: payloads on an authorised topic', () => {
  it('never disconnects or crashes, and stored values always fit the attribute type', async () => {
    const h = await startHarness();
    try {
      const assetId = await provisioned(h, 'fz1', 'Fz-Pw-81');
      const c = await TestMqttClient.connect({ port: h.backend.mqttPort, ca: h.backend.caPem, clientId: 'fz1', username: 'master:fz1', password: 'Fz-Pw-81' });
      const runs = Math.min(2000, Math.max(50, Math.floor(fuzzBudget(600))));
      const payload = fc.oneof(
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc.record({ value: fc.jsonValue(), timestamp: fc.oneof(fc.integer(), fc.double(), fc.constant('x')) }).map((v) => JSON.stringify(v)),
        fc.string({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
      );
      const samples = fc.sample(fc.tuple(fc.constantFrom('writeattributevalue', 'writeattribute'), fc.constantFrom('temperature', 'switch', 'firmwareVersion', 'rssi', 'uptime'), payload), runs);
      for (const [op, attr, body] of samples) c.publish(`master/fz1/${op}/${attr}/${assetId}`, body);
      await roundTrip(c);
      expect(c.closed).toBe(false);
      const a = h.backend.core.getAsset(assetId)!.attributes;
      for (const [name, type] of [['temperature', 'number'], ['rssi', 'number'], ['uptime', 'number'], ['switch', 'boolean'], ['firmwareVersion', 'string']] as const) {
        const v = a[name]!.value;
        if (v !== null) expect(typeof v, name).toBe(type);
      }
      await c.disconnect();
    } finally {
      await h.backend.stop();
    }
  });
});
