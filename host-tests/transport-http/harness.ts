// Test harness for the SoftAP/HTTP transport: builds a ProtocommHttpd on a chosen SocketHost with a fake or real
// protocomm, a virtual or real clock and a capturing log; plus an HTTP/1.1 response splitter written from
// RFC 9112 (status line, header fields, Content-Length body), independent of the server's code.
import { createNodeCryptoHost, scriptedRandom } from '../../tools/sim/host/crypto';
import { VirtualClock } from '../../tools/sim/host/clock';
import { CaptureLog } from '../../tools/sim/host/log';
import type { Listener, SocketHost } from '../../firmware/host/socket';
import type { TimerHost } from '../../firmware/host/timers';
import type { Protocomm } from '../../firmware/protocomm/types';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { ProtocommHttpd, type HttpdOptions } from '../../firmware/transport/httpd';
import { FakeProtocomm } from './fake-protocomm';
import { MemorySocketHost } from './memory-socket-host';

export const ENDPOINTS = ['proto-ver', 'prov-session', 'prov-config', 'prov-scan', 'prov-ctrl', 'custom-data'];

export interface ParsedResponse {
  status: number;
  reason: string;
  headers: [string, string][];
  body: Buffer;
}

export function header(r: ParsedResponse, name: string): string | undefined {
  return r.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

/** Splits a byte stream into complete responses; `rest` holds an incomplete tail. Throws on malformed input. */
export function parseResponses(data: Buffer): { responses: ParsedResponse[]; rest: Buffer } {
  const responses: ParsedResponse[] = [];
  let at = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', at, 'latin1');
    if (end < 0) break;
    const lines = data.subarray(at, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) (.*)$/.exec(lines[0]);
    if (!m) throw new Error(`bad status line: ${JSON.stringify(lines[0])}`);
    const headers: [string, string][] = lines.slice(1).map((l) => {
      const c = l.indexOf(':');
      if (c <= 0) throw new Error(`bad header line: ${JSON.stringify(l)}`);
      return [l.slice(0, c), l.slice(c + 1).trim()];
    });
    const cl = headers.filter(([n]) => n.toLowerCase() === 'content-length');
    if (cl.length !== 1 || !/^\d+$/.test(cl[0][1])) throw new Error('response without a single Content-Length');
    const length = Number(cl[0][1]);
    const bodyStart = end + 4;
    if (data.length < bodyStart + length) break;
    responses.push({ status: Number(m[1]), reason: m[2], headers, body: data.subarray(bodyStart, bodyStart + length) });
    at = bodyStart + length;
  }
  return { responses, rest: data.subarray(at) };
}

/** A request as esp_prov's http.client sends it (§9.2: form content type, Accept text/plain, optional Cookie). */
export function postRequest(endpoint: string, body: Uint8Array | string, cookie?: string, extra = ''): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : Buffer.from(body);
  const head =
    `POST /${endpoint} HTTP/1.1\r\nHost: 192.168.4.1:80\r\nAccept-Encoding: identity\r\nContent-Length: ${b.length}\r\n` +
    `Content-type: application/x-www-form-urlencoded\r\nAccept: text/plain\r\n` +
    (cookie !== undefined ? `Cookie: ${cookie}\r\n` : '') +
    extra +
    '\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), b]);
}

export interface Harness {
  server: ProtocommHttpd;
  host: MemorySocketHost;
  clock: VirtualClock;
  log: CaptureLog;
  protocomm: FakeProtocomm;
  /** Session ids the server will draw, in order (big-endian u32 each). */
  ids: number[];
}

function idBytes(ids: number[]): Uint8Array[] {
  return ids.map((id) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, id >>> 0);
    return b;
  });
}

/** A server on the in-memory host with a fake protocomm and pinned session ids. */
export function memoryHarness(options: Partial<HttpdOptions> & { ids?: number[] } = {}): Harness {
  const host = new MemorySocketHost();
  const clock = new VirtualClock();
  const log = new CaptureLog(clock);
  const protocomm = new FakeProtocomm();
  const ids = options.ids ?? [0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555, 0x66666666];
  const crypto = createNodeCryptoHost(scriptedRandom(idBytes(ids)));
  const server = new ProtocommHttpd({
    socket: host,
    timers: clock,
    crypto,
    logger: new Logger(log, 'test', new SecretRegistry(), 'debug'),
    protocomm,
    hasEndpoint: (n) => ENDPOINTS.includes(n),
    port: 80,
    ...options,
  });
  server.start();
  return { server, host, clock, log, protocomm, ids };
}

/** A server on any SocketHost (e.g. real loopback sockets) with the given protocomm. */
export function makeServer(opts: {
  socket: SocketHost;
  timers: TimerHost;
  protocomm: Protocomm;
  hasEndpoint?: (name: string) => boolean;
  log?: CaptureLog;
  random?: (n: number) => Uint8Array;
  extra?: Partial<HttpdOptions>;
}): { server: ProtocommHttpd; listener: Listener; log: CaptureLog } {
  const log = opts.log ?? new CaptureLog();
  const server = new ProtocommHttpd({
    socket: opts.socket,
    timers: opts.timers,
    crypto: createNodeCryptoHost(opts.random),
    logger: new Logger(log, 'test', new SecretRegistry(), 'debug'),
    protocomm: opts.protocomm,
    hasEndpoint: opts.hasEndpoint ?? ((n) => ENDPOINTS.includes(n)),
    port: 0,
    ...opts.extra,
  });
  const listener = server.start();
  return { server, listener, log };
}
