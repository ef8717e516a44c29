// SoftAP/HTTP transport over real loopback TCP (tools/sim/host/socket.ts) with independent clients: node:http with
// esp_prov's cookie handling (copy Set-Cookie verbatim into Cookie, unified-provisioning.md §9.2/§11.2) and raw
// node:net for pipelining, purging and error closes. Full sec0/sec1 sessions replay the pinned transcripts
// (host-tests/fixtures/vectors) byte for byte through the real protocomm core, and sec1 REQ traffic is also checked
// with client-side X25519 + AES-256-CTR math on node:crypto.
import * as http from 'node:http';
import * as net from 'node:net';
import * as nodeCrypto from 'node:crypto';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { FirmwareDispatcher } from '../../tools/sim/host/dispatch';
import { createNodeSocketHost, type NodeListener, type NodeSocketHost } from '../../tools/sim/host/socket';
import { createRealTimers, type RealTimers } from '../../tools/sim/host/timers';
import { createRealClock } from '../../tools/sim/host/clock';
import { createNodeCryptoHost, scriptedRandom } from '../../tools/sim/host/crypto';
import { CaptureLog } from '../../tools/sim/host/log';
import { createProtocomm } from '../../firmware/protocomm/protocomm';
import type { SecurityConfig } from '../../firmware/protocomm/security/index';
import type { EndpointHandler, Protocomm } from '../../firmware/protocomm/types';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { FakeProtocomm } from './fake-protocomm';
import { makeServer, parseResponses, postRequest } from './harness';
import { loadTranscripts, type TranscriptStep } from '../fixtures/vectors';

const VECTORS = loadTranscripts();
const hex = (h: string) => Buffer.from(h, 'hex');

type Step = TranscriptStep;

const PYTHON = '/usr/bin/python3';
const PY_CLIENT = `
import sys
from http.client import HTTPConnection
conn = HTTPConnection('127.0.0.1:' + sys.argv[1], timeout=60)
conn.connect()
headers = {'Content-type': 'application/x-www-form-urlencoded', 'Accept': 'text/plain'}
for line in sys.stdin.read().split('\\n'):
    ep, data = line.split(' ')
    conn.request('POST', '/' + ep, bytes.fromhex(data), headers)
    resp = conn.getresponse()
    cookie = '-'
    for k, v in resp.getheaders():
        if k == 'Set-Cookie':
            headers['Cookie'] = v
            cookie = v
    body = resp.read()
    print(resp.status, cookie, body.hex(), flush=True)
`;

function runPython(script: string, args: string[], stdin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`python exited ${code}: ${err}`))));
    child.stdin.end(stdin);
  });
}

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

async function startServer(protocomm: Protocomm, hasEndpoint?: (n: string) => boolean) {
  const dispatcher = new FirmwareDispatcher();
  const socket: NodeSocketHost = createNodeSocketHost({ dispatcher, closeGraceMs: 200 });
  const timers: RealTimers = createRealTimers(dispatcher);
  const log = new CaptureLog();
  const { server, listener } = makeServer({ socket, timers, protocomm, hasEndpoint, log });
  const port = await (listener as NodeListener).ready;
  cleanups.push(() => {
    server.stop();
    socket.shutdown();
    timers.clearAll();
  });
  return { server, port, log, dispatcher };
}

/** esp_prov's Transport_HTTP in miniature: one keep-alive connection, Set-Cookie copied into later requests. */
class EspProvLikeClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  cookie: string | undefined;
  setCookies: (string | undefined)[] = [];

  constructor(readonly port: number) {
    cleanups.push(() => this.agent.destroy());
  }

  post(endpoint: string, body: Uint8Array): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {
        'Content-type': 'application/x-www-form-urlencoded',
        Accept: 'text/plain',
        'Content-Length': String(body.length),
      };
      if (this.cookie) headers.Cookie = this.cookie;
      const req = http.request(
        { host: '127.0.0.1', port: this.port, method: 'POST', path: `/${endpoint}`, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const sc = res.headers['set-cookie'];
            this.setCookies.push(sc?.[0]);
            if (sc) this.cookie = sc[0];
            if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
            else if (res.headers['content-type'] !== 'text/html') reject(new Error('wrong content type'));
            else resolve(Buffer.concat(chunks));
          });
        },
      );
      req.on('error', reject);
      req.end(Buffer.from(body));
    });
  }
}

/** Raw TCP client: collects bytes until the server closes or `until` says enough. */
function rawExchange(port: number, writes: (Buffer | number)[], until?: (data: Buffer) => boolean) {
  return new Promise<{ data: Buffer; closed: boolean; sock: net.Socket }>((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    cleanups.push(() => sock.destroy());
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      resolve({ data: Buffer.concat(chunks), closed, sock });
    };
    sock.on('data', (c) => {
      chunks.push(c);
      if (until?.(Buffer.concat(chunks))) finish(false);
    });
    sock.on('close', () => finish(true));
    sock.on('error', (e) => (done ? undefined : reject(e)));
    sock.on('connect', async () => {
      for (const w of writes) {
        if (typeof w === 'number') await new Promise((r) => setTimeout(r, w));
        else sock.write(w);
      }
    });
  });
}

/** A handler that answers the transcript's plaintexts in order and checks it got the expected requests. */
function scriptedHandler(steps: Step[], name: string, deferFirstMs = 0): EndpointHandler {
  const mine = steps.filter((s) => s.endpoint === name);
  let i = 0;
  return (_sid, request, reply) => {
    const step = mine[i++];
    const expected = step.request_plain_hex ?? step.request_hex;
    if (Buffer.from(request).toString('hex') !== expected) {
      reply(undefined);
      return;
    }
    const answer = hex(step.response_plain_hex ?? step.response_hex);
    if (i === 1 && deferFirstMs > 0) setTimeout(() => reply(new Uint8Array(answer)), deferFirstMs);
    else reply(new Uint8Array(answer));
  };
}

function realProtocomm(security: SecurityConfig, random: Uint8Array[]) {
  const log = new CaptureLog();
  const pc = createProtocomm({
    crypto: createNodeCryptoHost(scriptedRandom(random)),
    clock: createRealClock(),
    log: new Logger(log, 'protocomm', new SecretRegistry(), 'debug'),
    security,
  });
  const hasEndpoint = (n: string) => pc.listEndpoints().some((e) => e.name === n);
  return { pc, hasEndpoint };
}

async function replayTranscript(name: 'sec0' | 'sec1', security: SecurityConfig, random: Uint8Array[]) {
  const steps: Step[] = VECTORS[name];
  const { pc, hasEndpoint } = realProtocomm(security, random);
  // A scan that takes a while (blocking ScanStart) exercises the deferred reply over a real socket.
  pc.addEndpoint('prov-scan', scriptedHandler(steps, 'prov-scan', 50));
  pc.addEndpoint('prov-config', scriptedHandler(steps, 'prov-config'));
  const { port } = await startServer(pc, hasEndpoint);
  const client = new EspProvLikeClient(port);
  for (const step of steps) {
    const response = await client.post(step.endpoint, hex(step.request_hex));
    if (step.endpoint === 'proto-ver') {
      const json = JSON.parse(response.toString('utf8'));
      expect(json.prov.sec_ver).toBe(security.version);
    } else {
      expect(response.toString('hex'), `${name} ${step.endpoint}`).toBe(step.response_hex);
    }
  }
  expect(client.setCookies[0]).toMatch(/^session=\d+$/);
  expect(client.setCookies.slice(1).every((c) => c === undefined)).toBe(true);
  return { client, pc, port };
}

describe('httpd over loopback TCP', () => {
  it('replays the pinned sec0 transcript byte for byte (esp_prov-style client)', async () => {
    await replayTranscript('sec0', { version: 0 }, []);
  });

  it('replays the pinned sec1 transcript, then continues the AES-CTR stream with client-side math', async () => {
    const inputs = VECTORS.inputs;
    const { client, pc } = await replayTranscript('sec1', { version: 1, pop: inputs.pop }, [
      hex(inputs.device_x25519_private),
      hex(inputs.device_random),
    ]);
    // Client side of §4: X25519(client, device) XOR SHA-256(PoP) keys one AES-256-CTR stream from device_random.
    const steps: Step[] = VECTORS.sec1;
    const resp0 = hex(steps[1].response_hex);
    const devicePub = resp0.subarray(resp0.indexOf(Buffer.from([0x12, 0x20])) + 2).subarray(0, 32);
    const clientKey = nodeCrypto.createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), hex(inputs.client_x25519_private)]),
      format: 'der',
      type: 'pkcs8',
    });
    const devKey = nodeCrypto.createPublicKey({
      key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), devicePub]),
      format: 'der',
      type: 'spki',
    });
    const shared = nodeCrypto.diffieHellman({ privateKey: clientKey, publicKey: devKey });
    const popHash = nodeCrypto.createHash('sha256').update(inputs.pop).digest();
    const key = Buffer.from(shared.map((b, i) => b ^ popHash[i]));
    const stream = nodeCrypto.createDecipheriv('aes-256-ctr', key, hex(inputs.device_random));
    // Replay the whole stream so far: verify data both ways, then every REQ request and response in order.
    let consumed = 64;
    for (const s of steps.slice(3)) consumed += s.request_hex.length / 2 + s.response_hex.length / 2;
    stream.update(Buffer.alloc(consumed));

    pc.addEndpoint('custom-data', (_sid, request, reply) => {
      reply(new Uint8Array(Buffer.concat([Buffer.from('got:'), request])));
    });
    const plain = Buffer.from('hello from the client');
    const response = await client.post('custom-data', stream.update(plain));
    expect(stream.update(response).toString()).toBe('got:hello from the client');

    // Reconnect with the cookie (a new TCP connection): same session, the stream continues.
    const again = new EspProvLikeClient(client.port);
    again.cookie = client.cookie;
    const r2 = await again.post('custom-data', stream.update(Buffer.from('second')));
    expect(stream.update(r2).toString()).toBe('got:second');
    expect(again.setCookies).toEqual([undefined]);

    // A cookie-less newcomer starts a new session; the old cookie's encrypted traffic then fails: the server closes
    // the connection without a response.
    const stranger = new EspProvLikeClient(client.port);
    await stranger.post('proto-ver', Buffer.from('x'));
    expect(stranger.setCookies[0]).toMatch(/^session=\d+$/);
    expect(stranger.setCookies[0]).not.toBe(client.cookie);
    await expect(again.post('custom-data', stream.update(Buffer.from('third')))).rejects.toThrow();
  });

  // Python's http.client is the HTTP stack esp_prov uses (§11.2): one HTTPConnection with a 60 s timeout, request
  // headers as esp_prov sends them, and a Set-Cookie header (matched case-sensitively) copied into Cookie.
  it.skipIf(!existsSync(PYTHON))('replays the sec1 transcript with Python http.client as esp_prov drives it', async () => {
    const inputs = VECTORS.inputs;
    const steps: Step[] = VECTORS.sec1;
    const { pc, hasEndpoint } = realProtocomm({ version: 1, pop: inputs.pop }, [hex(inputs.device_x25519_private), hex(inputs.device_random)]);
    pc.addEndpoint('prov-scan', scriptedHandler(steps, 'prov-scan', 50));
    pc.addEndpoint('prov-config', scriptedHandler(steps, 'prov-config'));
    const { port } = await startServer(pc, hasEndpoint);
    const out = await runPython(PY_CLIENT, [String(port)], steps.map((s) => `${s.endpoint} ${s.request_hex}`).join('\n'));
    const lines = out.trim().split('\n');
    expect(lines.length).toBe(steps.length);
    expect(lines[0]).toMatch(/^200 session=\d+ /);
    lines.slice(1).forEach((line, i) => expect(line, steps[i + 1].endpoint).toBe(`200 - ${steps[i + 1].response_hex}`));
  });

  it('serves pipelined and byte-trickled requests in order on one connection', async () => {
    const fake = new FakeProtocomm();
    const { port } = await startServer(fake);
    const req = postRequest('prov-config', 'abc');
    const writes: (Buffer | number)[] = [Buffer.concat([postRequest('proto-ver', '1'), postRequest('proto-ver', '2')])];
    for (let i = 0; i < req.length; i += 7) writes.push(5, req.subarray(i, i + 7));
    const { data } = await rawExchange(port, writes, (d) => parseResponses(d).responses.length === 3);
    const rs = parseResponses(data).responses;
    expect(rs.map((r) => r.body.toString())).toEqual(['echo:1', 'echo:2', 'echo:abc']);
  });

  it('closes without a response on a handler error (wrong prov-session payload)', async () => {
    const { pc, hasEndpoint } = realProtocomm({ version: 1, pop: 'abcd1234' }, []);
    const { port } = await startServer(pc, hasEndpoint);
    const { data, closed } = await rawExchange(port, [postRequest('prov-session', Buffer.from([1, 2, 3]))]);
    expect(closed).toBe(true);
    expect(data.length).toBe(0);
  });

  it('a new connection purges the previous one (max_open_sockets = 1)', async () => {
    const fake = new FakeProtocomm();
    const { port, server } = await startServer(fake);
    // The first client stays connected after its answer; it must be closed by the server once a second one arrives.
    const first = net.connect({ host: '127.0.0.1', port });
    cleanups.push(() => first.destroy());
    const firstData: Buffer[] = [];
    const firstClosed = new Promise<void>((resolve) => first.on('close', () => resolve()));
    const firstAnswered = new Promise<void>((resolve) =>
      first.on('data', (c: Buffer) => {
        firstData.push(c);
        if (parseResponses(Buffer.concat(firstData)).responses.length === 1) resolve();
      }),
    );
    first.write(postRequest('proto-ver', 'a'));
    await firstAnswered;
    const second = await rawExchange(port, [postRequest('proto-ver', 'b')], (d) => parseResponses(d).responses.length === 1);
    await firstClosed;
    expect(parseResponses(Buffer.concat(firstData)).responses[0].body.toString()).toBe('echo:a');
    expect(parseResponses(second.data).responses[0].body.toString()).toBe('echo:b');
    expect(server.openConnections).toBe(1);
  });

  it('answers 404 and 405 to node:http', async () => {
    const fake = new FakeProtocomm();
    const { port } = await startServer(fake);
    const status = (method: string, path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(method === 'POST' ? 'x' : undefined);
      });
    expect(await status('POST', '/nope')).toBe(404);
    expect(await status('GET', '/proto-ver')).toBe(405);
    expect(fake.calls).toEqual([]);
  });
});

