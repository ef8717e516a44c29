// Full protocomm sessions over the simulated BLE link, at MTU 23, 185 and 517, with the client side computed in
// the test from unified-provisioning.md §4/§5 (node:crypto, BigInt). Two devices: (1) a replay of the pinned esp_prov
// transcripts, so the test client must reproduce every reference request byte for byte; (2) the firmware's own
// ProtocommCore (sec1, sec2) with random keys and a custom echo endpoint.
import { afterEach, describe, expect, it } from 'vitest';
import { createProtocomm } from '../../firmware/protocomm/protocomm';
import type { SecurityConfig } from '../../firmware/protocomm/security/index';
import { AttError } from '../../tools/sim/ble/att';
import { createNodeCryptoHost } from '../../tools/sim/host/crypto';
import { loadIntermediates, loadTranscripts } from '../fixtures/vectors';
import { ReplayProtocomm, type TranscriptStep } from './helpers/fakes';
import { startDevice, type Device } from './helpers/harness';
import { Sec1Client, Sec2Client, type SecClient } from './helpers/sec-clients';
import { SpecProvClient } from './helpers/spec-client';

const vectors = loadTranscripts();
const intermediates = loadIntermediates();
const inputs = vectors.inputs;
const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const toHex = (d: Uint8Array) => Buffer.from(d).toString('hex');
const MTUS = [23, 185, 517];

let device: Device | undefined;
let client: SpecProvClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await device?.close();
  device = undefined;
});

/** Runs the handshake: Cmd0 → Resp0 → Cmd1 → Resp1, verifying the device's proof. */
async function handshake(c: SpecProvClient, sec: SecClient): Promise<void> {
  const resp0 = await c.send('prov-session', sec.command0());
  const resp1 = await c.send('prov-session', sec.command1(resp0));
  sec.finish(resp1);
}

describe('pinned transcripts replayed over BLE (client reproduces esp_prov byte for byte)', () => {
  const cases: [string, () => SecClient][] = [
    ['sec1', () => new Sec1Client(inputs.pop, hex(inputs.client_x25519_private))],
    ['sec2_patch1', () => new Sec2Client(inputs.srp_username, inputs.srp_password, hex(inputs.srp_client_a))],
  ];
  for (const [name, makeClient] of cases) {
    for (const mtu of MTUS) {
      it(`${name} at MTU ${mtu}`, async () => {
        const steps: TranscriptStep[] = vectors[name];
        const replay = new ReplayProtocomm(steps);
        device = await startDevice(replay);
        client = await SpecProvClient.open(device.server.port, { name: 'PROV_261FCC', mtu });
        expect(client.link.mtu).toBe(mtu);

        const version = await client.send('proto-ver', hex(steps[0].request_hex));
        expect(toHex(version)).toBe(steps[0].response_hex);
        const json = JSON.parse(Buffer.from(version).toString('utf8'));
        const sec = makeClient();
        await handshake(client, sec);
        if (sec instanceof Sec2Client) expect(toHex(sec.sessionKey)).toBe(intermediates.sec2.K);

        for (const step of steps.slice(3)) {
          const wire = sec.encrypt(hex(step.request_plain_hex!));
          expect(toHex(wire)).toBe(step.request_hex);
          const response = await client.send(step.endpoint, wire);
          expect(toHex(sec.decrypt(response))).toBe(step.response_plain_hex);
        }
        expect(replay.mismatches).toEqual([]);
        expect(replay.done()).toBe(true);
        expect(json.prov.sec_ver).toBe(name === 'sec1' ? 1 : 2);
      });
    }
  }
});

function realDevice(security: SecurityConfig) {
  const crypto = createNodeCryptoHost();
  const protocomm = createProtocomm({ crypto, clock: { monotonicMs: () => Math.floor(performance.now()), wallMs: () => undefined }, security });
  // A custom endpoint that echoes the decrypted request reversed (a handler sees plaintext only).
  protocomm.addEndpoint('custom-data', (_session, request, reply) => reply(Uint8Array.from(request).reverse()));
  return protocomm;
}

const SEC2: SecurityConfig = { version: 2, salt: hex(inputs.srp_salt), verifier: hex(inputs.srp_verifier) };

describe('firmware protocomm over BLE', () => {
  const cases: [string, SecurityConfig, () => SecClient][] = [
    ['sec1 with PoP', { version: 1, pop: 'abcd1234' }, () => new Sec1Client('abcd1234')],
    ['sec1 without PoP', { version: 1 }, () => new Sec1Client(undefined)],
    ['sec2', SEC2, () => new Sec2Client('wifiprov', 'abcd1234')],
  ];
  for (const [name, security, makeClient] of cases) {
    for (const mtu of MTUS) {
      it(`${name}: handshake and custom-endpoint echo at MTU ${mtu}`, async () => {
        device = await startDevice(realDevice(security), { custom: ['custom-data'] });
        client = await SpecProvClient.open(device.server.port, { name: 'PROV_261FCC', mtu });
        const version = JSON.parse(Buffer.from(await client.send('proto-ver', new TextEncoder().encode('ESP'))).toString('utf8'));
        expect(version.prov.sec_ver).toBe(security.version);
        const sec = makeClient();
        await handshake(client, sec);
        // Sizes around the MTU boundaries and up to the 512-byte attribute (sec2 adds a 16-byte tag).
        for (const size of [1, mtu - 3 - 16, mtu - 3, mtu + 40, 300, 496]) {
          const plain = Uint8Array.from({ length: size }, (_, i) => (i * 31 + size) & 0xff);
          const response = sec.decrypt(await client.send('custom-data', sec.encrypt(plain)));
          expect(response).toEqual(Uint8Array.from(plain).reverse());
        }
      });
    }
  }

  it('a wrong PoP gets ATT 0x04 on Command1 and the link stays up for a new attempt', async () => {
    device = await startDevice(realDevice({ version: 1, pop: 'abcd1234' }), { custom: ['custom-data'] });
    client = await SpecProvClient.open(device.server.port, { mtu: 185 });
    const wrong = new Sec1Client('wrong-pop');
    const resp0 = await client.send('prov-session', wrong.command0());
    await expect(client.send('prov-session', wrong.command1(resp0))).rejects.toSatisfy((e: unknown) => e instanceof AttError && e.code === 0x04);
    const right = new Sec1Client('abcd1234');
    await handshake(client, right);
    expect(right.decrypt(await client.send('custom-data', right.encrypt(Uint8Array.of(1, 2, 3))))).toEqual(Uint8Array.of(3, 2, 1));
  });

  it('a disconnect wipes the secure session: old-session ciphertext fails after reconnecting', async () => {
    device = await startDevice(realDevice(SEC2), { custom: ['custom-data'] });
    client = await SpecProvClient.open(device.server.port, { mtu: 517 });
    const sec = new Sec2Client('wifiprov', 'abcd1234');
    await handshake(client, sec);
    expect(sec.decrypt(await client.send('custom-data', sec.encrypt(Uint8Array.of(9, 8))))).toEqual(Uint8Array.of(8, 9));
    await client.link.disconnect();
    await client.link.connectPeripheral(517);
    await expect(client.send('custom-data', sec.encrypt(Uint8Array.of(7)))).rejects.toSatisfy((e: unknown) => e instanceof AttError && e.code === 0x04);
    const fresh = new Sec2Client('wifiprov', 'abcd1234');
    await handshake(client, fresh);
    expect(fresh.decrypt(await client.send('custom-data', fresh.encrypt(Uint8Array.of(5, 6))))).toEqual(Uint8Array.of(6, 5));
  });
});
