// Tests for the simulator socket host (tools/sim/host/socket.ts) against real peers on loopback: TCP echo,
// listener (including an XS-style Promise from onAccept), and TLS with the generated test PKI (tools/certs):
// success, unknown CA, wrong name, expired, refused port, DNS failure, handshake timeout, handshake failure.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SocketError, type SocketCallbacks, type SocketErrorCode } from '../../firmware/host/socket';
import { generateTestPki, type TestPki } from '../../tools/certs/pki';
import { FirmwareDispatcher } from '../../tools/sim/host/dispatch';
import { createNodeSocketHost, mapSocketError, type NodeSocketHost } from '../../tools/sim/host/socket';

interface Recorder extends SocketCallbacks {
  events: string[];
  data: number[];
  connected: Promise<void>;
  closed: Promise<SocketError | undefined>;
}

function recorder(onData?: (d: Uint8Array) => void): Recorder {
  let connect!: () => void;
  let close!: (e: SocketError | undefined) => void;
  const r: Recorder = {
    events: [],
    data: [],
    connected: new Promise((res) => (connect = res)),
    closed: new Promise((res) => (close = res)),
    onConnect() {
      r.events.push('connect');
      connect();
    },
    onData(d) {
      r.events.push('data');
      r.data.push(...d);
      onData?.(d);
    },
    onClose(e) {
      r.events.push(e ? `close:${e.code}` : 'close');
      close(e);
    },
  };
  return r;
}

const servers: net.Server[] = [];
function serve(server: net.Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

let host: NodeSocketHost;
afterEach(() => {
  host?.shutdown();
  for (const s of servers.splice(0)) s.close();
});

async function expectFailure(r: Recorder, code: SocketErrorCode): Promise<SocketError> {
  const error = await r.closed;
  expect(error).toBeInstanceOf(SocketError);
  expect(error!.code, error!.message).toBe(code);
  expect(r.events).toEqual([`close:${code}`]); // never onConnect, exactly one onClose
  return error!;
}

describe('TCP', () => {
  it('connects, echoes, reports queued bytes, and closes orderly', async () => {
    const port = await serve(net.createServer((s) => s.pipe(s)));
    host = createNodeSocketHost();
    const r = recorder();
    const sock = host.connect({ host: '127.0.0.1', port, timeoutMs: 2000 }, r);
    await r.connected;
    const payload = new Uint8Array([1, 2, 3, 4, 5]);
    const queued = sock.write(payload);
    expect(queued).toBeGreaterThanOrEqual(0);
    expect(queued).toBeLessThanOrEqual(payload.length);
    payload.fill(0); // write copied the bytes
    while (r.data.length < 5) await new Promise((res) => setTimeout(res, 5));
    expect(r.data).toEqual([1, 2, 3, 4, 5]);
    sock.close();
    expect(() => sock.write(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    expect(await r.closed).toBeUndefined();
    expect(r.events.filter((e) => e.startsWith('close'))).toEqual(['close']);
  });

  it('reports an orderly close by the peer without error', async () => {
    const port = await serve(net.createServer((s) => s.end('bye')));
    host = createNodeSocketHost();
    const r = recorder();
    host.connect({ host: 'localhost', port, timeoutMs: 2000 }, r);
    expect(await r.closed).toBeUndefined();
    expect(Buffer.from(r.data).toString()).toBe('bye');
    expect(r.events[0]).toBe('connect');
  });

  it('maps a reset after establishment to RESET', async () => {
    const port = await serve(net.createServer((s) => setTimeout(() => s.resetAndDestroy(), 20)));
    host = createNodeSocketHost();
    const r = recorder();
    host.connect({ host: '127.0.0.1', port, timeoutMs: 2000 }, r);
    const error = await r.closed;
    expect(error?.code).toBe('RESET');
    expect(r.events).toEqual(['connect', 'close:RESET']);
  });

  it('maps a refused port to REFUSED', async () => {
    const probe = net.createServer();
    const port = await serve(probe);
    await new Promise((res) => probe.close(res)); // now nothing listens there
    host = createNodeSocketHost();
    const r = recorder();
    host.connect({ host: '127.0.0.1', port, timeoutMs: 2000 }, r);
    await expectFailure(r, 'REFUSED');
  });

  it('close() while connecting ends with one orderly onClose and no onConnect', async () => {
    const port = await serve(net.createServer((s) => s.pipe(s)));
    host = createNodeSocketHost();
    const r = recorder();
    const sock = host.connect({ host: '127.0.0.1', port, timeoutMs: 2000 }, r);
    sock.close();
    expect(await r.closed).toBeUndefined();
    await new Promise((res) => setTimeout(res, 20));
    expect(r.events).toEqual(['close']);
    expect(() => sock.write(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });

  it('maps a name that cannot resolve to DNS', async () => {
    host = createNodeSocketHost();
    const r = recorder();
    host.connect({ host: 'no-such-broker.invalid', port: 8883, timeoutMs: 5000 }, r);
    await expectFailure(r, 'DNS');
  });

  it('serializes firmware callbacks that answer with Promises (firmware on XS)', async () => {
    const port = await serve(net.createServer((s) => s.pipe(s)));
    host = createNodeSocketHost();
    let running = 0;
    let overlap = false;
    const r = recorder();
    const slowData = r.onData;
    r.onData = ((d: Uint8Array) => {
      if (++running > 1) overlap = true;
      slowData(d);
      return new Promise<void>((res) => setTimeout(() => (running--, res()), 10));
    }) as unknown as (d: Uint8Array) => void;
    const sock = host.connect({ host: '127.0.0.1', port, timeoutMs: 2000 }, r);
    await r.connected;
    for (let i = 0; i < 5; i++) {
      sock.write(new Uint8Array([i]));
      await new Promise((res) => setTimeout(res, 1));
    }
    while (r.data.length < 5) await new Promise((res) => setTimeout(res, 5));
    expect(r.data).toEqual([0, 1, 2, 3, 4]);
    expect(overlap).toBe(false);
  });

  it('maps Node errors by phase', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(mapSocketError(err('ECONNRESET'), { tls: false, established: true }).code).toBe('RESET');
    expect(mapSocketError(err('EPIPE'), { tls: true, established: true }).code).toBe('RESET');
    expect(mapSocketError(err('EAI_AGAIN'), { tls: true, established: false }).code).toBe('DNS');
    expect(mapSocketError(err('EHOSTUNREACH'), { tls: false, established: false }).code).toBe('UNREACHABLE');
    expect(mapSocketError(err('ENETUNREACH'), { tls: false, established: false }).code).toBe('UNREACHABLE');
    expect(mapSocketError(err('ETIMEDOUT'), { tls: false, established: false }).code).toBe('TIMEOUT');
    expect(mapSocketError(err('SELF_SIGNED_CERT_IN_CHAIN'), { tls: true, established: false }).code).toBe('TLS_UNKNOWN_CA');
    expect(mapSocketError(err('DEPTH_ZERO_SELF_SIGNED_CERT'), { tls: true, established: false }).code).toBe('TLS_UNKNOWN_CA');
    expect(mapSocketError(err('UNABLE_TO_GET_ISSUER_CERT'), { tls: true, established: false }).code).toBe('TLS_UNKNOWN_CA');
    expect(mapSocketError(err('CERT_NOT_YET_VALID'), { tls: true, established: false }).code).toBe('TLS_EXPIRED');
    expect(mapSocketError(err('ECONNRESET'), { tls: true, established: false }).code).toBe('TLS_HANDSHAKE');
    expect(mapSocketError(err('ERR_SSL_WRONG_VERSION_NUMBER'), { tls: true, established: false }).code).toBe('TLS_HANDSHAKE');
    expect(mapSocketError(err('EACCES'), { tls: false, established: false }).code).toBe('INTERNAL');
    const aggregate = new AggregateError([err('ECONNREFUSED'), err('ECONNREFUSED')], 'all attempts failed');
    expect(mapSocketError(aggregate as NodeJS.ErrnoException, { tls: false, established: false }).code).toBe('REFUSED');
  });

  it('rejects bad arguments clearly', () => {
    host = createNodeSocketHost();
    const r = recorder();
    expect(() => host.connect({ host: '', port: 1, timeoutMs: 1 }, r)).toThrow(RangeError);
    expect(() => host.connect({ host: 'a', port: 70000, timeoutMs: 1 }, r)).toThrow(RangeError);
    expect(() => host.connect({ host: 'a', port: 1, timeoutMs: 0 }, r)).toThrow(RangeError);
    expect(() => host.listen({ port: 0, maxConnections: 0 }, { onAccept: () => r })).toThrow(RangeError);
  });
});

describe('listener', () => {
  it('accepts on 127.0.0.1, exposes the bound port and gives the firmware a working socket', async () => {
    host = createNodeSocketHost();
    const accepted: string[] = [];
    const listener = host.listen(
      { port: 0, maxConnections: 2 },
      {
        onAccept(socket, remote) {
          accepted.push(remote);
          return recorder((d) => socket.write(d.map((b) => b + 1)));
        },
      },
    );
    // The port is known synchronously (the XS bridge answers the worker's listen request at once).
    const port = listener.port;
    expect(port).toBeGreaterThan(0);
    expect(await listener.ready).toBe(port);
    const client = net.connect(port, '127.0.0.1');
    const got: number[] = [];
    client.on('data', (d) => got.push(...d));
    client.write(Buffer.from([1, 2, 3]));
    while (got.length < 3) await new Promise((res) => setTimeout(res, 5));
    expect(got).toEqual([2, 3, 4]);
    expect(accepted[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    client.destroy();
    listener.close();
  });

  it('awaits an onAccept that returns a Promise and buffers data until the callbacks are known', async () => {
    host = createNodeSocketHost();
    const r = recorder();
    const listener = host.listen(
      { port: 0, maxConnections: 1 },
      { onAccept: () => new Promise((res) => setTimeout(() => res(r), 50)) as never },
    );
    const port = await listener.ready;
    const client = net.connect(port, '127.0.0.1', () => client.end(Buffer.from('early bytes')));
    expect(await r.closed).toBeUndefined();
    // onConnect first, then the bytes that arrived while the firmware was still deciding, then the close.
    expect(r.events[0]).toBe('connect');
    expect(r.events.at(-1)).toBe('close');
    expect(Buffer.from(r.data).toString()).toBe('early bytes');
    listener.close();
  });

  it('rejects `ready` when the port is taken', async () => {
    const port = await serve(net.createServer());
    const warnings: string[] = [];
    host = createNodeSocketHost({ log: { write: (_l, _t, m) => warnings.push(m) } });
    const listener = host.listen({ port, maxConnections: 1 }, { onAccept: () => recorder() });
    await expect(listener.ready).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(warnings[0]).toMatch(/EADDRINUSE/);
  });
});

describe('TLS', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await generateTestPki({ hosts: ['localhost', '127.0.0.1'], expired: true, otherCa: true });
  });
  afterAll(() => undefined);

  const tlsServer = (cert: { key: string; cert: string }, onSecure?: (s: tls.TLSSocket) => void) =>
    serve(
      tls.createServer({ key: cert.key, cert: cert.cert }, (s) => {
        s.on('error', () => undefined);
        if (onSecure) onSecure(s);
        else s.pipe(s);
      }),
    );

  it('connects after verifying the chain and the name, sends SNI, and carries data', async () => {
    let sni: string | undefined;
    const port = await serve(
      tls.createServer({ key: pki.server.key, cert: pki.server.cert }, (s) => {
        sni = (s as tls.TLSSocket & { servername?: string }).servername;
        s.pipe(s);
      }),
    );
    host = createNodeSocketHost();
    const r = recorder();
    const sock = host.connect({ host: '127.0.0.1', port, timeoutMs: 5000, tls: { ca: [pki.ca.cert], serverName: 'localhost' } }, r);
    await r.connected;
    sock.write(new TextEncoder().encode('over tls'));
    while (r.data.length < 8) await new Promise((res) => setTimeout(res, 5));
    expect(Buffer.from(r.data).toString()).toBe('over tls');
    expect(sni).toBe('localhost');
    sock.close();
    expect(await r.closed).toBeUndefined();
  });

  it('accepts an IP address as serverName when the certificate has it (no SNI is sent for an IP)', async () => {
    const port = await tlsServer(pki.server);
    host = createNodeSocketHost();
    const r = recorder();
    host.connect({ host: '127.0.0.1', port, timeoutMs: 5000, tls: { ca: [pki.ca.cert], serverName: '127.0.0.1' } }, r);
    await r.connected;
  });

  it('TLS_UNKNOWN_CA for a server whose CA is not in tls.ca (the system store is not consulted)', async () => {
    const port = await tlsServer(pki.otherCaServer!);
    host = createNodeSocketHost();
    const r = recorder();
    host.connect({ host: '127.0.0.1', port, timeoutMs: 5000, tls: { ca: [pki.ca.cert], serverName: 'localhost' } }, r);
    await expectFailure(r, 'TLS_UNKNOWN_CA');
  });

  it('ignores CAs Node would add from NODE_EXTRA_CA_CERTS (only tls.ca is trusted)', async () => {
    // Node reads NODE_EXTRA_CA_CERTS at startup, so the probe runs in a child process that trusts our test CA
    // that way while the firmware passes only the other CA: the handshake must still fail as unknown CA.
    const port = await tlsServer(pki.server);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'extra-ca-'));
    try {
      const caFile = path.join(dir, 'ca.crt');
      fs.writeFileSync(caFile, pki.ca.cert);
      const script = path.join(dir, 'probe.ts');
      const hostModule = path.resolve(__dirname, '../../tools/sim/host/socket.ts');
      fs.writeFileSync(
        script,
        `import { createNodeSocketHost } from ${JSON.stringify(hostModule)};
const host = createNodeSocketHost();
host.connect({ host: '127.0.0.1', port: ${port}, timeoutMs: 5000,
  tls: { ca: [${JSON.stringify(pki.otherCa!.cert)}], serverName: 'localhost' } }, {
  onConnect() { console.log('CONNECTED'); process.exit(0); },
  onData() {},
  onClose(e) { console.log(e ? e.code : 'closed'); process.exit(0); },
});
`,
      );
      const output = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile } }, (err, stdout, stderr) =>
          err ? reject(new Error(stderr || String(err))) : resolve(stdout.trim()),
        ),
      );
      expect(output).toBe('TLS_UNKNOWN_CA');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('TLS_NAME_MISMATCH when serverName is not in the certificate', async () => {
    const port = await tlsServer(pki.server);
    host = createNodeSocketHost();
    const r = recorder();
    host.connect({ host: '127.0.0.1', port, timeoutMs: 5000, tls: { ca: [pki.ca.cert], serverName: 'broker.example.com' } }, r);
    await expectFailure(r, 'TLS_NAME_MISMATCH');
  });

  it('TLS_EXPIRED for an expired server certificate', async () => {
    const port = await tlsServer(pki.expired!);
    host = createNodeSocketHost();
    const r = recorder();
    host.connect({ host: '127.0.0.1', port, timeoutMs: 5000, tls: { ca: [pki.ca.cert], serverName: 'localhost' } }, r);
    await expectFailure(r, 'TLS_EXPIRED');
  });

  it('TIMEOUT when the server accepts TCP but never completes the handshake', async () => {
    const port = await serve(net.createServer(() => undefined)); // accepts, then silence
    host = createNodeSocketHost();
    const r = recorder();
    const started = Date.now();
    host.connect({ host: '127.0.0.1', port, timeoutMs: 300, tls: { ca: [pki.ca.cert], serverName: 'localhost' } }, r);
    const error = await expectFailure(r, 'TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(error.message).toMatch(/within 300 ms/);
  });

  it('TLS_HANDSHAKE when the peer does not speak TLS', async () => {
    const port = await serve(net.createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    host = createNodeSocketHost();
    const r = recorder();
    host.connect({ host: '127.0.0.1', port, timeoutMs: 5000, tls: { ca: [pki.ca.cert], serverName: 'localhost' } }, r);
    await expectFailure(r, 'TLS_HANDSHAKE');
  });

  it('REFUSED and DNS keep their meaning with TLS', async () => {
    const probe = net.createServer();
    const port = await serve(probe);
    await new Promise((res) => probe.close(res));
    host = createNodeSocketHost();
    const refused = recorder();
    host.connect({ host: '127.0.0.1', port, timeoutMs: 2000, tls: { ca: [pki.ca.cert], serverName: 'localhost' } }, refused);
    await expectFailure(refused, 'REFUSED');
    const dns = recorder();
    host.connect({ host: 'mqtt.invalid', port: 8883, timeoutMs: 5000, tls: { ca: [pki.ca.cert], serverName: 'mqtt.invalid' } }, dns);
    await expectFailure(dns, 'DNS');
  });

  it('fails clearly (INTERNAL, no connection attempt) for a CA list that does not parse', async () => {
    let connections = 0;
    const port = await serve(net.createServer((s) => (connections++, s.destroy())));
    host = createNodeSocketHost();
    const r = recorder();
    host.connect({ host: '127.0.0.1', port, timeoutMs: 2000, tls: { ca: ['not a certificate'], serverName: 'localhost' } }, r);
    const error = await expectFailure(r, 'INTERNAL');
    expect(error.message).toMatch(/tls\.ca\[0\]/);
    const leaf = recorder();
    host.connect({ host: '127.0.0.1', port, timeoutMs: 2000, tls: { ca: [pki.server.cert], serverName: 'localhost' } }, leaf);
    expect((await expectFailure(leaf, 'INTERNAL')).message).toMatch(/not a CA/);
    expect(connections).toBe(0);
  });

  it('delivers callbacks through the given dispatcher', async () => {
    const port = await tlsServer(pki.server);
    const dispatcher = new FirmwareDispatcher();
    host = createNodeSocketHost({ dispatcher });
    let insideDispatcher = false;
    const r = recorder();
    const onConnect = r.onConnect;
    r.onConnect = () => {
      insideDispatcher = dispatcher.running;
      onConnect();
    };
    host.connect({ host: 'localhost', port, timeoutMs: 5000, tls: { ca: [pki.ca.cert], serverName: 'localhost' } }, r);
    await r.connected;
    expect(insideDispatcher).toBe(true);
  });
});
