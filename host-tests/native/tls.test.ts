// End-to-end check of the socket core's SocketErrorCode mapping against real TLS peers: native/tests/tls_probe
// (socket_core.c over the lin esp-tls on Debian's mbedTLS, built by tools/native/test.sh) connects to Node TLS
// servers using the project's test PKI (tools/certs/pki.ts). Needs the probe binary: native.test.ts builds it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTestPki, type TestPki } from '../../tools/certs/pki';

const probe = join(process.cwd(), 'build', 'native', 'tls_probe');
let pki: TestPki;
let dir: string;
const servers: Server[] = [];

function probeRun(args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(probe, args, { env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`probe exit ${code}: ${out}`))));
  });
}

async function tlsServer(key: string, cert: string): Promise<number> {
  const server = tls.createServer({ key, cert, minVersion: 'TLSv1.2' }, (socket) => {
    socket.on('data', (d) => socket.write(d)); // echo
    socket.on('error', () => {});
  });
  server.on('tlsClientError', () => {});
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  if (!existsSync(probe)) {
    const r = spawnSync('bash', ['tools/native/test.sh'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tools/native/test.sh failed:\n${r.stdout}\n${r.stderr}`);
  }
  pki = await generateTestPki({ hosts: ['localhost', '127.0.0.1'], expired: true, otherCa: true });
  dir = mkdtempSync(join(tmpdir(), 'native-tls-'));
  writeFileSync(join(dir, 'ca.pem'), pki.ca.cert);
}, 300_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('socket core over real mbedTLS', () => {
  it('connects, verifies the chain and the name, and exchanges data', async () => {
    const port = await tlsServer(pki.server.key, pki.server.cert);
    expect(await probeRun(['127.0.0.1', String(port), join(dir, 'ca.pem'), 'localhost'])).toEqual([
      'CONNECT',
      'DATA ping',
      'CLOSE -',
    ]);
  });

  it('reports TLS_UNKNOWN_CA for a chain from another CA', async () => {
    const port = await tlsServer(pki.otherCaServer!.key, pki.otherCaServer!.cert);
    expect(await probeRun(['127.0.0.1', String(port), join(dir, 'ca.pem'), 'localhost'])).toEqual(['CLOSE TLS_UNKNOWN_CA']);
  });

  it('reports TLS_NAME_MISMATCH when the certificate does not name the server', async () => {
    const port = await tlsServer(pki.server.key, pki.server.cert);
    expect(await probeRun(['127.0.0.1', String(port), join(dir, 'ca.pem'), 'mqtt.example.com'])).toEqual([
      'CLOSE TLS_NAME_MISMATCH',
    ]);
  });

  it('reports TLS_EXPIRED for an expired certificate', async () => {
    const port = await tlsServer(pki.expired!.key, pki.expired!.cert);
    expect(await probeRun(['127.0.0.1', String(port), join(dir, 'ca.pem'), 'localhost'])).toEqual(['CLOSE TLS_EXPIRED']);
  });

  it('reports REFUSED and DNS without TLS', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r)); // nothing listens there now
    expect(await probeRun(['127.0.0.1', String(port)])).toEqual(['CLOSE REFUSED']);
    expect(await probeRun(['name.invalid', '80'])).toEqual(['CLOSE DNS']);
  });

  it('exchanges data over plain TCP', async () => {
    const server = createServer((s) => s.on('data', (d) => s.write(d)));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    expect(await probeRun(['127.0.0.1', String(port)])).toEqual(['CONNECT', 'DATA ping', 'CLOSE -']);
  });
});
