// SoftAP/HTTP transport (unified-provisioning.md §9.2): framing, limits, timeouts, LRU purge and the cookie session
// rule, driven byte by byte through the in-memory SocketHost with a fake protocomm and a virtual clock.
import { describe, expect, it } from 'vitest';
import type { ProvisioningTransport } from '../../firmware/provisioning/manager';
import { STANDARD_ENDPOINTS } from '../../firmware/provisioning/endpoints';
import { ProtocommHttpd } from '../../firmware/transport/httpd';
import { createNodeCryptoHost } from '../../tools/sim/host/crypto';
import { VirtualClock } from '../../tools/sim/host/clock';
import { CaptureLog } from '../../tools/sim/host/log';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { FakeProtocomm } from './fake-protocomm';
import { MemorySocketHost } from './memory-socket-host';
import { header, memoryHarness, parseResponses, postRequest } from './harness';

const ID1 = 0x11111111; // 286331153
const ID2 = 0x22222222; // 572662306
const ID3 = 0x33333333;

function responses(client: { bytes: Buffer }) {
  const { responses: rs, rest } = parseResponses(client.bytes);
  expect(rest.length).toBe(0);
  return rs;
}

describe('httpd framing', () => {
  it('answers a POST with the exact esp_http_server layout and a Set-Cookie on the first response', () => {
    const h = memoryHarness();
    const c = h.host.open();
    c.send(postRequest('proto-ver', 'abc'));
    expect(c.text).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 8\r\n' + `Set-Cookie: session=${ID1}\r\n\r\necho:abc`,
    );
    expect(h.protocomm.calls).toEqual([{ endpoint: 'proto-ver', sessionId: ID1, request: new Uint8Array(Buffer.from('abc')) }]);
    expect(h.protocomm.events).toEqual([`new ${ID1}`, `handle proto-ver ${ID1}`]);
    expect(c.open).toBe(true);
  });

  it('keeps the connection alive and sends Set-Cookie only once per session', () => {
    const h = memoryHarness();
    const c = h.host.open();
    for (let i = 0; i < 3; i++) c.send(postRequest('prov-session', `m${i}`));
    const rs = responses(c);
    expect(rs.map((r) => r.body.toString())).toEqual(['echo:m0', 'echo:m1', 'echo:m2']);
    expect(rs.map((r) => header(r, 'Set-Cookie'))).toEqual([`session=${ID1}`, undefined, undefined]);
    expect(h.protocomm.events.filter((e) => e.startsWith('new'))).toEqual([`new ${ID1}`]);
  });

  it('handles binary bodies byte-transparently, including CR LF and NUL bytes', () => {
    const h = memoryHarness();
    const c = h.host.open();
    const body = new Uint8Array(256).map((_, i) => i);
    c.send(postRequest('prov-config', body));
    const [r] = responses(c);
    expect(Buffer.compare(r.body, Buffer.concat([Buffer.from('echo:'), body]))).toBe(0);
  });

  it('parses a request split at every byte boundary', () => {
    const h = memoryHarness();
    const c = h.host.open();
    const req = postRequest('prov-scan', 'x'.repeat(50));
    for (const byte of req) c.send(Uint8Array.of(byte));
    const [r] = responses(c);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('echo:' + 'x'.repeat(50));
  });

  it('serves pipelined requests one at a time, in order, even when replies are deferred', () => {
    const h = memoryHarness();
    h.protocomm.defaultMode = 'defer';
    const c = h.host.open();
    c.send(Buffer.concat([postRequest('prov-scan', 'a'), postRequest('prov-scan', 'b'), postRequest('prov-scan', 'c')]));
    expect(h.protocomm.calls.length).toBe(1);
    h.protocomm.release(Buffer.from('A'));
    expect(h.protocomm.calls.length).toBe(2);
    h.protocomm.release(Buffer.from('B'));
    h.protocomm.release(Buffer.from('C'));
    expect(h.protocomm.maxInFlight).toBe(1);
    expect(h.protocomm.calls.map((x) => Buffer.from(x.request).toString())).toEqual(['a', 'b', 'c']);
    expect(responses(c).map((r) => r.body.toString())).toEqual(['A', 'B', 'C']);
  });

  it('accepts 1 and 4096 byte bodies and closes without a response for 0, 4097, missing length or chunked', () => {
    const ok = memoryHarness();
    const c1 = ok.host.open();
    c1.send(postRequest('prov-config', 'x'));
    c1.send(postRequest('prov-config', Buffer.alloc(4096, 7)));
    expect(responses(c1).map((r) => r.body.length)).toEqual([6, 4101]);

    const bad = [
      'POST /prov-config HTTP/1.1\r\nContent-Length: 0\r\n\r\n',
      'POST /prov-config HTTP/1.1\r\nContent-Length: 4097\r\n\r\n' + 'x'.repeat(4097),
      'POST /prov-config HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n',
      'POST /prov-config HTTP/1.1\r\nHost: x\r\n\r\nabc',
      'POST /prov-config HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      'POST /prov-config HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc',
    ];
    for (const raw of bad) {
      const h = memoryHarness();
      const c = h.host.open();
      c.send(raw);
      expect(c.text, raw).toBe('');
      expect(c.serverClosed, raw).toBe(true);
      expect(h.protocomm.calls, raw).toEqual([]);
      expect(h.protocomm.events, raw).toEqual([]); // a rejected request leaves the session alone
    }
  });

  it('answers 400 for an unparsable or conflicting Content-Length and accepts identical repeats', () => {
    for (const cl of ['abc', '-1', '1.0', '0x10', '3, 3']) {
      const h = memoryHarness();
      const c = h.host.open();
      c.send(`POST /prov-config HTTP/1.1\r\nContent-Length: ${cl}\r\n\r\nabc`);
      expect(responses(c)[0].status, cl).toBe(400);
      expect(c.serverClosed).toBe(true);
    }
    const h = memoryHarness();
    const c = h.host.open();
    c.send('POST /prov-config HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd');
    expect(responses(c)[0].status).toBe(400);
    const h2 = memoryHarness();
    const c2 = h2.host.open();
    c2.send('POST /prov-config HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 003\r\n\r\nabc');
    expect(responses(c2)[0].body.toString()).toBe('echo:abc');
  });

  it('answers 404 for an unknown URI and 405 for a wrong method, then closes', () => {
    const cases: [string, number][] = [
      ['POST /nope HTTP/1.1\r\nContent-Length: 1\r\n\r\nx', 404],
      ['POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx', 404],
      ['POST prov-config HTTP/1.1\r\nContent-Length: 1\r\n\r\nx', 404],
      ['POST /Prov-Config HTTP/1.1\r\nContent-Length: 1\r\n\r\nx', 404], // names are case-sensitive
      ['POST /prov-config/ HTTP/1.1\r\nContent-Length: 1\r\n\r\nx', 404],
      ['GET /prov-config HTTP/1.1\r\n\r\n', 405],
      ['PUT /prov-session HTTP/1.1\r\nContent-Length: 1\r\n\r\nx', 405],
      ['post /prov-session HTTP/1.1\r\nContent-Length: 1\r\n\r\nx', 405],
    ];
    for (const [raw, status] of cases) {
      const h = memoryHarness();
      const c = h.host.open();
      c.send(raw);
      const [r] = responses(c);
      expect(r.status, raw).toBe(status);
      expect(header(r, 'Connection')).toBe('close');
      if (status === 405) expect(header(r, 'Allow')).toBe('POST');
      expect(c.serverClosed).toBe(true);
      expect(h.protocomm.calls).toEqual([]);
    }
  });

  it('routes on the path and ignores a query string', () => {
    const h = memoryHarness();
    const c = h.host.open();
    c.send('POST /proto-ver?x=1 HTTP/1.1\r\nContent-Length: 1\r\n\r\nv');
    expect(responses(c)[0].status).toBe(200);
    expect(h.protocomm.calls[0].endpoint).toBe('proto-ver');
  });

  it('bounds the head: 414 for a long request line, 431 for long/many/huge headers, 505, 400', () => {
    const long = 'a'.repeat(1025);
    const many = Array.from({ length: 33 }, (_, i) => `X-H${i}: v\r\n`).join('');
    const huge = Array.from({ length: 10 }, (_, i) => `X-H${i}: ${'v'.repeat(900)}\r\n`).join('');
    const cases: [string, number][] = [
      [`POST /${long} HTTP/1.1\r\n\r\n`, 414],
      [`POST /prov-config HTTP/1.1\r\nX-Long: ${long}\r\nContent-Length: 1\r\n\r\nx`, 431],
      [`POST /prov-config HTTP/1.1\r\n${many}Content-Length: 1\r\n\r\nx`, 431],
      [`POST /prov-config HTTP/1.1\r\n${huge}Content-Length: 1\r\n\r\nx`, 431],
      ['\r\n'.repeat(5000), 431],
      ['POST /prov-config HTTP/1.0\r\nContent-Length: 1\r\n\r\nx', 505],
      ['POST /prov-config HTTP/2.0\r\nContent-Length: 1\r\n\r\nx', 505],
      ['POST /prov-config HTTPS/1.1\r\n\r\n', 400],
      ['POST  /prov-config HTTP/1.1\r\n\r\n', 400],
      ['POST /prov-config\r\n\r\n', 400],
      ['POST /prov-config HTTP/1.1\rContent-Length: 1\r\n\r\nx', 400],
      ['POST /prov-config HTTP/1.1\r\nContent-Length : 1\r\n\r\nx', 400],
      ['POST /prov-config HTTP/1.1\r\nContent-Length: 1\r\n folded\r\n\r\nx', 400],
      ['POST /prov-config HTTP/1.1\r\nNoColon\r\n\r\n', 400],
      ['POST /prov-config HTTP/1.1\r\nX: a\x00b\r\n\r\n', 400],
      ['P\u00d8ST /prov-config HTTP/1.1\r\n\r\n', 400],
      ['\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', 400], // a TLS ClientHello
    ];
    for (const [raw, status] of cases) {
      const h = memoryHarness();
      const c = h.host.open();
      c.send(raw);
      const rs = responses(c);
      expect(rs.length, JSON.stringify(raw.slice(0, 60))).toBe(1);
      expect(rs[0].status, JSON.stringify(raw.slice(0, 60))).toBe(status);
      expect(c.serverClosed).toBe(true);
    }
  });

  it('accepts a header line of exactly 1024 bytes, 32 headers, LF-only line ends and leading empty lines', () => {
    const h = memoryHarness();
    const c = h.host.open();
    const line = 'X-Big: ' + 'v'.repeat(1024 - 7);
    const headers = Array.from({ length: 30 }, (_, i) => `X-H${i}: v\r\n`).join('');
    c.send(`\r\nPOST /prov-config HTTP/1.1\r\n${line}\r\n${headers}Content-Length: 1\r\n\r\nx`);
    c.send('POST /prov-config HTTP/1.1\nContent-Length: 1\n\ny');
    expect(responses(c).map((r) => r.body.toString())).toEqual(['echo:x', 'echo:y']);
  });

  it('closes without a response on a handler error, and on a handler that throws', () => {
    for (const mode of ['error', 'throw'] as const) {
      const h = memoryHarness();
      h.protocomm.modes.set('prov-session', mode);
      const c = h.host.open();
      c.send(Buffer.concat([postRequest('prov-session', 'bad'), postRequest('proto-ver', 'next')]));
      expect(c.text).toBe('');
      expect(c.serverClosed).toBe(true);
      expect(h.protocomm.calls.map((x) => x.endpoint)).toEqual(['prov-session']); // pipelined request dropped
    }
  });

  it('closes after the response when the client asks for Connection: close', () => {
    const h = memoryHarness();
    const c = h.host.open();
    c.send(postRequest('proto-ver', 'v', undefined, 'Connection: keep-alive, Close\r\n'));
    expect(responses(c)[0].status).toBe(200);
    expect(c.serverClosed).toBe(true);
  });

  it('times out a slow (slowloris) head or body with 408 but never an in-flight request', () => {
    const h = memoryHarness({ requestTimeoutMs: 10_000 });
    const c = h.host.open();
    c.send('POST /prov-config HTTP/1.1\r\nContent-Le');
    h.clock.advance(9_000);
    c.send('n'); // trickling bytes do not extend the deadline
    expect(c.open).toBe(true);
    h.clock.advance(1_000);
    expect(responses(c)[0].status).toBe(408);
    expect(c.serverClosed).toBe(true);

    const h2 = memoryHarness({ requestTimeoutMs: 10_000 });
    const c2 = h2.host.open();
    c2.send('POST /prov-config HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc');
    h2.clock.advance(10_000);
    expect(responses(c2)[0].status).toBe(408);

    const h3 = memoryHarness({ requestTimeoutMs: 10_000 });
    h3.protocomm.defaultMode = 'defer';
    const c3 = h3.host.open();
    c3.send(postRequest('prov-scan', 's'));
    h3.clock.advance(60_000); // a long Wi-Fi scan
    expect(c3.open).toBe(true);
    h3.protocomm.release(Buffer.from('done'));
    expect(responses(c3)[0].body.toString()).toBe('done');
    expect(h3.clock.pending).toBe(0);
  });

  it('keeps idle keep-alive connections by default and closes them when idleTimeoutMs is set', () => {
    const h = memoryHarness();
    const c = h.host.open();
    c.send(postRequest('proto-ver', 'v'));
    h.clock.advance(3_600_000);
    expect(c.open).toBe(true);
    expect(h.clock.pending).toBe(0);

    const h2 = memoryHarness({ idleTimeoutMs: 30_000 });
    const c2 = h2.host.open();
    h2.clock.advance(29_000);
    c2.send(postRequest('proto-ver', 'v'));
    h2.clock.advance(29_000);
    expect(c2.open).toBe(true);
    h2.clock.advance(1_000);
    expect(c2.serverClosed).toBe(true);
    expect(h2.clock.pending).toBe(0);
  });

  it('closes a connection that pipelines too much behind an unanswered request', () => {
    const h = memoryHarness();
    h.protocomm.defaultMode = 'defer';
    const c = h.host.open();
    c.send(postRequest('prov-scan', 's'));
    for (let i = 0; i < 8 && c.open; i++) c.send(postRequest('prov-config', Buffer.alloc(4096)));
    expect(c.serverClosed).toBe(true);
    h.protocomm.release(new Uint8Array([1])); // the late reply has nowhere to go and must not throw
    expect(c.text).toBe('');
  });

  it('purges the least recently used connection when max_open_sockets (1) is reached', () => {
    const h = memoryHarness();
    const a = h.host.open();
    a.send(postRequest('proto-ver', 'a'));
    const b = h.host.open();
    expect(a.serverClosed).toBe(true);
    expect(b.open).toBe(true);
    expect(h.server.openConnections).toBe(1);
    b.send(postRequest('proto-ver', 'b'));
    expect(responses(b)[0].status).toBe(200);
  });

  it('lets a busy connection finish its response before it is purged; the newcomer waits its turn', () => {
    const h = memoryHarness();
    h.protocomm.defaultMode = 'defer';
    const a = h.host.open();
    a.send(postRequest('prov-scan', 'a'));
    const b = h.host.open();
    b.send(postRequest('prov-scan', 'b'));
    expect(a.open).toBe(true);
    expect(h.protocomm.calls.length).toBe(1);
    h.protocomm.release(Buffer.from('A'));
    expect(responses(a)[0].body.toString()).toBe('A');
    expect(a.serverClosed).toBe(true);
    expect(h.protocomm.calls.length).toBe(2);
    h.protocomm.release(Buffer.from('B'));
    expect(responses(b)[0].body.toString()).toBe('B');
    expect(h.protocomm.maxInFlight).toBe(1);
  });

  it('with max_open_sockets = 2 purges the connection used least recently', () => {
    const h = memoryHarness({ maxOpenSockets: 2 });
    const a = h.host.open();
    const b = h.host.open();
    a.send(postRequest('proto-ver', 'a')); // a is now more recent than b
    const c = h.host.open();
    expect(b.serverClosed).toBe(true);
    expect(a.open && c.open).toBe(true);
  });

  it('stop() closes every connection, ends the session, refuses new connections and drops late replies', () => {
    const h = memoryHarness();
    h.protocomm.modes.set('prov-scan', 'defer');
    const a = h.host.open();
    a.send(postRequest('proto-ver', 'a'));
    a.send(postRequest('prov-scan', 's'));
    h.server.stop();
    expect(a.serverClosed).toBe(true);
    expect(h.protocomm.events.at(-1)).toBe(`close ${ID1}`);
    expect(h.host.open().serverClosed).toBe(true);
    h.protocomm.release(new Uint8Array([1]));
    h.server.stop(); // idempotent
  });

  it('never logs request bodies or the session cookie', () => {
    const h = memoryHarness();
    const c = h.host.open();
    c.send(postRequest('prov-config', 'MySecretPassphrase'));
    const other = h.host.open();
    other.send(postRequest('prov-config', 'x', `session=${ID1}`));
    h.log.assertNoSecret('MySecretPassphrase', String(ID1));
    expect(h.log.lines.length).toBeGreaterThan(0);
  });
});

describe('httpd endpoint table from the provisioning manager', () => {
  it('routes exactly the endpoints start() was given (the manager passes its ProvEndpoint list)', () => {
    const host = new MemorySocketHost();
    const protocomm = new FakeProtocomm();
    const server = new ProtocommHttpd({
      socket: host,
      timers: new VirtualClock(),
      crypto: createNodeCryptoHost(),
      logger: new Logger(new CaptureLog(), 't', new SecretRegistry()),
      protocomm,
    });
    const transport: ProvisioningTransport = server; // the manager's transport contract, checked by tsc
    transport.start([...STANDARD_ENDPOINTS, { name: 'custom-data', kind: 'request', bleId: 0xff54 }]);
    const ok = host.open();
    ok.send(postRequest('custom-data', 'x'));
    ok.send(postRequest('prov-ctrl', 'y'));
    expect(parseResponses(ok.bytes).responses.map((r) => r.status)).toEqual([200, 200]);
    const missing = host.open();
    missing.send(postRequest('other-data', 'x'));
    expect(parseResponses(missing.bytes).responses[0].status).toBe(404);
    transport.stop();
  });

  it('refuses to start without an endpoint list or hasEndpoint', () => {
    const server = new ProtocommHttpd({
      socket: new MemorySocketHost(),
      timers: new VirtualClock(),
      crypto: createNodeCryptoHost(),
      logger: new Logger(new CaptureLog(), 't', new SecretRegistry()),
      protocomm: new FakeProtocomm(),
    });
    expect(() => server.start()).toThrow(/endpoint/);
  });
});

describe('httpd session rule (§9.2)', () => {
  function cookieOf(c: { bytes: Buffer }) {
    return parseResponses(c.bytes).responses.map((r) => header(r, 'Set-Cookie'));
  }

  it('rule 1: an exact cookie continues the session on any socket (esp_prov after a reconnect)', () => {
    const h = memoryHarness();
    const a = h.host.open();
    a.send(postRequest('prov-session', '1'));
    a.close();
    const b = h.host.open();
    b.send(postRequest('prov-session', '2', `session=${ID1}`));
    expect(cookieOf(b)).toEqual([undefined]);
    expect(h.protocomm.calls.map((x) => x.sessionId)).toEqual([ID1, ID1]);
    expect(h.protocomm.events.filter((e) => !e.startsWith('handle'))).toEqual([`new ${ID1}`]);
  });

  it('rule 2: no cookie on the socket that created the session continues it; elsewhere it starts a new one', () => {
    const h = memoryHarness();
    const a = h.host.open();
    a.send(postRequest('prov-session', '1'));
    a.send(postRequest('prov-session', '2'));
    a.close();
    const b = h.host.open();
    b.send(postRequest('prov-session', '3'));
    expect(cookieOf(b)).toEqual([`session=${ID2}`]);
    expect(h.protocomm.events).toEqual([
      `new ${ID1}`,
      `handle prov-session ${ID1}`,
      `handle prov-session ${ID1}`,
      `close ${ID1}`,
      `new ${ID2}`,
      `handle prov-session ${ID2}`,
    ]);
  });

  it('rule 1 drops the socket binding: after a matching cookie, a cookie-less request starts a new session', () => {
    const h = memoryHarness();
    const a = h.host.open();
    a.send(postRequest('prov-session', '1'));
    a.send(postRequest('prov-session', '2', `session=${ID1}`));
    a.send(postRequest('prov-session', '3'));
    expect(cookieOf(a)).toEqual([`session=${ID1}`, undefined, `session=${ID2}`]);
  });

  it('rule 4: a TCP reconnect keeps the cookie session but not the socket binding', () => {
    const h = memoryHarness();
    const a = h.host.open();
    a.send(postRequest('prov-session', '1'));
    a.reset();
    const b = h.host.open();
    b.send(postRequest('prov-session', '2', `session=${ID1}`));
    b.close();
    const c = h.host.open();
    c.send(postRequest('prov-session', '3'));
    expect(h.protocomm.calls.map((x) => x.sessionId)).toEqual([ID1, ID1, ID2]);
  });

  it('cookie edge cases: -1, 4294967295, non-numeric, leading zero and a wrong id force a new session', () => {
    for (const cookie of ['session=-1', 'session=4294967295', 'session=abc', `session=0${ID1}`, `session=${ID1 + 1}`, 'session=', `SESSION=${ID1}`]) {
      const h = memoryHarness();
      const a = h.host.open();
      a.send(postRequest('prov-session', '1'));
      a.send(postRequest('prov-session', '2', cookie));
      expect(cookieOf(a), cookie).toEqual([`session=${ID1}`, cookie.startsWith('SESSION') ? undefined : `session=${ID2}`]);
    }
  });

  it('with no session yet, a client-chosen cookie (even the 4294967295 marker) never matches', () => {
    for (const cookie of ['session=4294967295', 'session=-1', 'session=0']) {
      const h = memoryHarness();
      const a = h.host.open();
      a.send(postRequest('prov-session', '1', cookie));
      expect(cookieOf(a), cookie).toEqual([`session=${ID1}`]);
      expect(h.protocomm.events[0]).toBe(`new ${ID1}`);
    }
  });

  it('a session id of 0 or 4294967295 drawn by the RNG works like any other', () => {
    for (const id of [0, 0xffffffff]) {
      const h = memoryHarness({ ids: [id, 7] });
      const a = h.host.open();
      a.send(postRequest('prov-session', '1'));
      a.close();
      const b = h.host.open();
      b.send(postRequest('prov-session', '2', `session=${id}`));
      expect(h.protocomm.calls.map((x) => x.sessionId)).toEqual([id, id]);
      expect(cookieOf(b)).toEqual([undefined]);
    }
  });

  it('rule 5: a session cookie over 19 characters counts as absent (socket rule applies)', () => {
    const h = memoryHarness();
    const a = h.host.open();
    a.send(postRequest('prov-session', '1'));
    const overlong = `session=000${ID1}`; // 20 characters
    a.send(postRequest('prov-session', '2', overlong));
    expect(cookieOf(a)).toEqual([`session=${ID1}`, undefined]);
    const b = h.host.open();
    b.send(postRequest('prov-session', '3', overlong + '9'.repeat(200)));
    expect(cookieOf(b)).toEqual([`session=${ID2}`]);
  });

  it('rule 6: finds session= among several cookies and several Cookie headers', () => {
    const h = memoryHarness();
    const a = h.host.open();
    a.send(postRequest('prov-session', '1'));
    a.close();
    const b = h.host.open();
    b.send(postRequest('prov-session', '2', `theme=dark; session=${ID1}; lang=en`));
    b.send(postRequest('prov-session', '3', 'theme=dark', `Cookie: session=${ID1}\r\n`));
    b.send(postRequest('prov-session', '4', `  session=${ID1}  `));
    expect(cookieOf(b)).toEqual([undefined, undefined, undefined]);
    expect(h.protocomm.calls.map((x) => x.sessionId)).toEqual([ID1, ID1, ID1, ID1]);
  });

  it('a cookie without session= counts as absent rather than a mismatch', () => {
    const h = memoryHarness();
    const a = h.host.open();
    a.send(postRequest('prov-session', '1', 'theme=dark'));
    a.send(postRequest('prov-session', '2', 'theme=dark'));
    expect(cookieOf(a)).toEqual([`session=${ID1}`, undefined]);
  });

  it('a handler error on a new session still replaces the old session; the cookie is never sent', () => {
    const h = memoryHarness();
    const a = h.host.open();
    a.send(postRequest('prov-session', 'ok'));
    h.protocomm.modes.set('prov-session', 'error');
    const b = h.host.open();
    b.send(postRequest('prov-session', 'bad'));
    expect(b.text).toBe('');
    h.protocomm.modes.set('prov-session', 'echo');
    const c = h.host.open();
    c.send(postRequest('prov-session', 'again', `session=${ID1}`));
    expect(cookieOf(c)).toEqual([`session=${ID3}`]);
    expect(h.protocomm.events.filter((e) => !e.startsWith('handle'))).toEqual([
      `new ${ID1}`,
      `close ${ID1}`,
      `new ${ID2}`,
      `close ${ID2}`,
      `new ${ID3}`,
    ]);
  });

  it('redraws a new session id equal to the old one', () => {
    const h = memoryHarness({ ids: [5, 5, 9] });
    const a = h.host.open();
    a.send(postRequest('prov-session', '1'));
    const b = h.host.open();
    b.send(postRequest('prov-session', '2'));
    expect(h.protocomm.calls.map((x) => x.sessionId)).toEqual([5, 9]);
  });
});
