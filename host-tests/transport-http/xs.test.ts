// The SoftAP/HTTP and console transports on the real XS engine (xsnap, XS 13.3): the same scenarios run on Node and
// on XS (host-tests/transport-http/xs-cases.ts) and must produce identical bytes; the Node results are also checked
// against the expected wire behaviour so "identical" cannot mean "identically broken".
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeHost } from '../../tools/sim/host/index';
import { runCasesOnBoth } from '../xs/harness';

describe('transports on XS', () => {
  const host = createNodeHost({ clock: 'virtual', log: 'capture', uart: 'memory' });
  afterAll(() => host.sim.shutdown());

  it('behave byte-identically on Node and XS', async () => {
    const { node, xs } = await runCasesOnBoth('host-tests/transport-http/xs-cases.ts', 'transportCases', { nodeHost: host });
    expect(xs).toEqual(node);

    const http = node['httpd: sessions, keep-alive, pipelining, errors and timeouts'] as {
      outputs: { out: string; closed: boolean }[];
      protocomm: string[];
      timers: number;
    };
    const [a, b, c, d, e] = http.outputs;
    expect(a.out).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 11\r\nSet-Cookie: session=1000\r\n\r\nproto-ver:v' +
        'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 15\r\n\r\nprov-session:ab' +
        'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\nprov-config:x',
    );
    expect(a.closed).toBe(true); // purged by b
    expect(b.out).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nprov-config:yzHTTP\/1\.1 405 /);
    expect(c.out).toBe('');
    expect(c.closed).toBe(true);
    expect(d.out).toMatch(/^HTTP\/1\.1 408 /);
    expect(e.out).toMatch(/^HTTP\/1\.1 431 /);
    expect(http.timers).toBe(0);
    expect(http.protocomm.slice(0, 5)).toEqual(['new 1000', 'handle proto-ver 1000 76', 'handle prov-session 1000 6162', 'handle prov-config 1000 78', 'handle prov-config 1000 797a']);

    const con = node['console: lines, errors, session switch, overflow'] as { out: string; protocomm: string[] };
    expect(con.out).toContain('proto-ver 0 2d2d2d\r\n\r\n70726f746f2d7665723a2d2d2d\r\n\n>> ');
    expect(con.out).toContain('prov-session 0 ee\r\n\n>> ');
    expect(con.out).toContain('error: line longer than 255 characters, discarded');
    expect(con.protocomm).toEqual(['new 0', 'handle proto-ver 0 2d2d2d', 'handle prov-session 0 ee', 'new 5', 'handle prov-session 5 0a0b', 'close 5']);
  });
});
