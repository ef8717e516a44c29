// HTTP transport of the provisioning client, behaving like esp_prov's transport_http.py (unified-provisioning.md
// §9.2, §11.2): one persistent HTTP/1.1 connection, `POST /<endpoint>` with Content-type
// application/x-www-form-urlencoded and Accept text/plain, the Set-Cookie value echoed as Cookie on every later
// request, 60 s timeout. The device answers a handler error by closing the connection without a response; that
// is surfaced as NoResponseError. A small client on node:net (not node:http) so that a keep-alive socket the
// server had already closed is never mistaken for "closed without response".
import * as net from 'node:net';
import { NoResponseError } from '../errors';
import type { Transport } from './types';

export interface HttpTransportOptions {
  host: string;
  port: number;
  /** Per request (esp_prov: 60 s). */
  timeoutMs?: number;
}

export interface Parsed {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
  keepAlive: boolean;
}

/** Largest response head/body we accept (the device's bodies are at most 4096 bytes, §9.2). */
const MAX_RESPONSE = 64 * 1024;

export class HttpTransport implements Transport {
  readonly kind = 'httpd' as const;
  private socket: net.Socket | undefined;
  private cookie: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpTransportOptions) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  endpoints(): undefined {
    return undefined;
  }

  send(endpoint: string, data: Uint8Array): Promise<Uint8Array> {
    // Requests are strictly sequential, like the protocol (one keystream / one IV counter per session).
    const run = this.queue.then(() => this.exchange(endpoint, data));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private async connect(): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed && this.socket.readyState === 'open') return this.socket;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.createConnection({ host: this.options.host, port: this.options.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect to ${this.options.host}:${this.options.port} timed out`));
      }, this.timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${this.options.host}:${this.options.port}: ${e.message}`));
      });
    });
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    this.socket = socket;
    return socket;
  }

  private async exchange(endpoint: string, data: Uint8Array): Promise<Uint8Array> {
    const socket = await this.connect();
    const head = [
      `POST /${endpoint} HTTP/1.1`,
      `Host: ${this.options.host}:${this.options.port}`,
      'Accept-Encoding: identity',
      `Content-Length: ${data.length}`,
      'Content-type: application/x-www-form-urlencoded',
      'Accept: text/plain',
      ...(this.cookie ? [`Cookie: ${this.cookie}`] : []),
      '',
      '',
    ].join('\r\n');
    const response = await new Promise<Parsed>((resolve, reject) => {
      let buffer = Buffer.alloc(0);
      const done = (error: Error | undefined, parsed?: Parsed) => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('close', onClose);
        if (error) {
          socket.destroy();
          if (this.socket === socket) this.socket = undefined;
          reject(error);
        } else resolve(parsed as Parsed);
      };
      const onData = (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        if (buffer.length > MAX_RESPONSE) return done(new Error('HTTP response too large'));
        try {
          const parsed = parseResponse(buffer);
          if (parsed) done(undefined, parsed);
        } catch (error) {
          done(error as Error);
        }
      };
      const onClose = () => done(new NoResponseError(`${endpoint}: the device closed the connection without a response`));
      const timer = setTimeout(() => done(new NoResponseError(`${endpoint}: no response within ${this.timeoutMs} ms`)), this.timeoutMs);
      socket.on('data', onData);
      socket.on('close', onClose);
      socket.write(Buffer.concat([Buffer.from(head, 'latin1'), data]));
    });
    for (const [name, value] of response.headers) {
      // esp_prov copies Set-Cookie verbatim; we keep the cookie pair itself (the device sends `session=<id>`, §9.2).
      if (name === 'set-cookie') this.cookie = value.split(';')[0]!.trim();
    }
    if (!response.keepAlive) {
      socket.destroy();
      if (this.socket === socket) this.socket = undefined;
    }
    if (response.status !== 200) throw new Error(`${endpoint}: HTTP ${response.status}`);
    return response.body;
  }
}

/** Parses one HTTP/1.1 response from `buffer`; undefined while incomplete. Content-Length framing only: that is
 * what esp_http_server sends (httpd_resp_send). */
export function parseResponse(buffer: Buffer): Parsed | undefined {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!status) throw new Error('malformed HTTP status line');
  const headers: [string, string][] = lines.slice(1).map((l) => {
    const colon = l.indexOf(':');
    if (colon <= 0) throw new Error('malformed HTTP header');
    return [l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim()];
  });
  const get = (n: string) => headers.find(([k]) => k === n)?.[1];
  if (get('transfer-encoding')) throw new Error('chunked HTTP responses are not expected from a provisioning device');
  const length = Number(get('content-length') ?? '0');
  if (!Number.isInteger(length) || length < 0 || length > MAX_RESPONSE) throw new Error('bad Content-Length');
  if (buffer.length < end + 4 + length) return undefined;
  const keepAlive = (get('connection') ?? '').toLowerCase() !== 'close' && lines[0]!.startsWith('HTTP/1.1');
  return { status: Number(status[1]), headers, body: new Uint8Array(buffer.subarray(end + 4, end + 4 + length)), keepAlive };
}
