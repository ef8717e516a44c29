// The client's HTTP transport against a scripted server: esp_prov's request shape (POST /<ep>, Content-type
// application/x-www-form-urlencoded, Accept text/plain), the Set-Cookie value echoed as Cookie (also across a TCP
// reconnect, which the device's session rule allows, unified-provisioning.md §9.2 item 4), and a connection closed
// without a response surfaced as NoResponseError.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NoResponseError } from '../../tools/prov/errors';
import { HttpTransport } from '../../tools/prov/transport/http';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

interface Seen {
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  socket: unknown;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    seen.push({ url: req.url, headers: req.headers, body, socket: req.socket });
    handler(req, res, body);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { port: (server!.address() as AddressInfo).port, seen };
}

describe('tools/prov HTTP transport', () => {
  it('sends esp_prov-shaped requests and echoes the session cookie, on one connection and after a reconnect', async () => {
    let n = 0;
    const { port, seen } = await serve((_req, res, body) => {
      const headers: Record<string, string> = { 'Content-Type': 'text/html', 'Content-Length': String(body.length) };
      if (n++ === 0) headers['Set-Cookie'] = 'session=3735928559';
      if (n === 2) headers.Connection = 'close';
      res.writeHead(200, headers).end(body);
    });
    const t = new HttpTransport({ host: '127.0.0.1', port });
    expect(Buffer.from(await t.send('proto-ver', Uint8Array.of(0x45, 0x53, 0x50))).toString()).toBe('ESP');
    expect(Array.from(await t.send('prov-session', Uint8Array.of(1, 0, 2)))).toEqual([1, 0, 2]);
    expect(Array.from(await t.send('prov-config', Uint8Array.of(9)))).toEqual([9]);
    await t.close();
    expect(seen.map((s) => s.url)).toEqual(['/proto-ver', '/prov-session', '/prov-config']);
    expect(seen[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen[0]!.headers.accept).toBe('text/plain');
    expect(seen[0]!.headers['content-length']).toBe('3');
    expect(seen[0]!.headers.cookie).toBeUndefined();
    expect(seen[1]!.headers.cookie).toBe('session=3735928559');
    expect(seen[1]!.socket).toBe(seen[0]!.socket);
    // The second answer said Connection: close; the third request came on a new socket, still with the cookie.
    expect(seen[2]!.socket).not.toBe(seen[1]!.socket);
    expect(seen[2]!.headers.cookie).toBe('session=3735928559');
  });

  it('a connection closed without a response is a NoResponseError, and the next request reconnects', async () => {
    let n = 0;
    const { port } = await serve((req, res) => {
      if (n++ === 0) req.socket.destroy();
      else res.writeHead(200, { 'Content-Length': '1' }).end('k');
    });
    const t = new HttpTransport({ host: '127.0.0.1', port });
    await expect(t.send('prov-session', Uint8Array.of(1))).rejects.toBeInstanceOf(NoResponseError);
    await expect(t.send('prov-session', Uint8Array.of(1))).resolves.toEqual(new Uint8Array([0x6b]));
    await t.close();
  });

  it('non-200 answers and silence are errors, not data', async () => {
    const { port } = await serve((req, res) => {
      if (req.url === '/missing') res.writeHead(404, { 'Content-Length': '0' }).end();
      // '/silent' never answers
    });
    const t = new HttpTransport({ host: '127.0.0.1', port, timeoutMs: 200 });
    await expect(t.send('missing', Uint8Array.of(1))).rejects.toThrow(/HTTP 404/);
    await expect(t.send('silent', Uint8Array.of(1))).rejects.toThrow(/no response within 200 ms/);
    await t.close();
  });
});
