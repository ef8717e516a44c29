// Transport scenarios that run unchanged on Node and on the real XS engine (host-tests/xs/harness.ts
// runCasesOnBoth): the HTTP server, its head parser and the console transport, each driven by small in-bundle
// fakes (no Node APIs here), returning what the firmware wrote so both engines' outputs can be compared.
import type { Listener, ListenerCallbacks, Socket, SocketCallbacks, SocketHost } from '../../firmware/host/socket';
import type { TimerHost } from '../../firmware/host/timers';
import type { CryptoHost } from '../../firmware/host/crypto';
import type { Protocomm, Reply } from '../../firmware/protocomm/types';
import { asciiDecode, asciiEncode, concat, toHex } from '../../firmware/util/bytes';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { ProtocommHttpd } from '../../firmware/transport/httpd';
import { RequestHeadParser } from '../../firmware/transport/http-request';
import { ProtocommConsole } from '../../firmware/transport/console';

const silentLog = new Logger({ write() {} }, 'xs-case', new SecretRegistry());

class PureTimers implements TimerHost {
  private next = 1;
  readonly live = new Map<number, { due: number; cb: () => void }>();
  now = 0;
  setTimeout(cb: () => void, ms: number): number {
    const id = this.next++;
    this.live.set(id, { due: this.now + ms, cb });
    return id;
  }
  setInterval(): number {
    throw new Error('not used');
  }
  clear(id: number): void {
    this.live.delete(id);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.live]) {
      if (t.due <= this.now && this.live.delete(id)) t.cb();
    }
  }
}

class EchoProtocomm implements Protocomm {
  readonly log: string[] = [];
  handle(endpoint: string, sessionId: number, request: Uint8Array, reply: Reply): void {
    this.log.push(`handle ${endpoint} ${sessionId} ${toHex(request)}`);
    if (endpoint === 'prov-session' && request[0] === 0xee) reply(undefined);
    else reply(concat(asciiEncode(endpoint + ':'), request));
  }
  newTransportSession(id: number): void {
    this.log.push(`new ${id}`);
  }
  closeTransportSession(id: number): void {
    this.log.push(`close ${id}`);
  }
}

/** Session ids 1000, 1001, ... so both engines draw the same. */
function countingCrypto(): CryptoHost {
  let n = 1000;
  return {
    randomBytes(len: number) {
      const v = n++;
      const out = new Uint8Array(len);
      out[len - 2] = v >> 8;
      out[len - 1] = v & 0xff;
      return out;
    },
  } as unknown as CryptoHost;
}

interface PureClient {
  out: string;
  closed: boolean;
  send(text: string): void;
  close(): void;
}

class PureSocketHost implements SocketHost {
  private accept: ListenerCallbacks | undefined;
  connect(): Socket {
    throw new Error('not used');
  }
  listen(_o: { port: number; maxConnections: number }, cb: ListenerCallbacks): Listener {
    this.accept = cb;
    return { port: 80, close: () => (this.accept = undefined) };
  }
  open(): PureClient {
    const client: PureClient = { out: '', closed: false, send: () => {}, close: () => {} };
    let callbacks: SocketCallbacks | undefined;
    const socket: Socket = {
      write(data) {
        if (client.closed) throw new Error('closed');
        client.out += asciiDecode(data);
        return 0;
      },
      close() {
        if (client.closed) return;
        client.closed = true;
        callbacks?.onClose(undefined);
      },
    };
    callbacks = (this.accept as ListenerCallbacks).onAccept(socket, 'peer');
    client.send = (text) => callbacks?.onData(asciiEncode(text));
    client.close = () => {
      if (client.closed) return;
      client.closed = true;
      callbacks?.onClose(undefined);
    };
    return client;
  }
}

const post = (ep: string, body: string, cookie?: string) =>
  `POST /${ep} HTTP/1.1\r\nContent-Length: ${body.length}\r\n${cookie ? `Cookie: ${cookie}\r\n` : ''}\r\n${body}`;

export const transportCases = {
  'httpd: sessions, keep-alive, pipelining, errors and timeouts'() {
    const host = new PureSocketHost();
    const timers = new PureTimers();
    const protocomm = new EchoProtocomm();
    const server = new ProtocommHttpd({
      socket: host,
      timers,
      crypto: countingCrypto(),
      logger: silentLog,
      protocomm,
      hasEndpoint: (n) => ['proto-ver', 'prov-session', 'prov-config'].includes(n),
    });
    server.start();
    const a = host.open();
    a.send(post('proto-ver', 'v') + post('prov-session', 'ab'));
    a.send(post('prov-config', 'x', 'session=1000'));
    const b = host.open(); // purges a
    for (const ch of post('prov-config', 'yz', 'theme=1; session=1000')) b.send(ch);
    b.send('GET /proto-ver HTTP/1.1\r\n\r\n');
    const c = host.open();
    c.send(post('prov-session', '\xee'));
    const d = host.open();
    d.send('POST /prov-config HTTP/1.1\r\nContent-Len');
    timers.advance(10_000);
    const e = host.open();
    e.send(`POST /prov-config HTTP/1.1\r\nX: ${'a'.repeat(1030)}\r\n\r\n`);
    server.stop();
    return { outputs: [a, b, c, d, e].map((x) => ({ out: x.out, closed: x.closed })), protocomm: protocomm.log, timers: timers.live.size };
  },

  'http head parser: 3000 pseudo-random heads'() {
    let seed = 12345;
    const rnd = () => {
      seed ^= seed << 13;
      seed >>>= 0;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      seed >>>= 0;
      return seed;
    };
    const parts = ['POST ', '/prov-session', ' HTTP/1.1', '\r\n', '\n', 'Content-Length: 3', 'Cookie: session=1', ': ', ' ', '\r', 'x', '\x00', '\xff', 'HTTP/1.0'];
    const outcomes: string[] = [];
    for (let i = 0; i < 3000; i++) {
      let text = '';
      const n = rnd() % 12;
      for (let k = 0; k < n; k++) text += parts[rnd() % parts.length];
      const p = new RequestHeadParser();
      const { consumed, outcome } = p.feed(asciiEncode(text));
      outcomes.push(!outcome ? `i${consumed}` : 'error' in outcome ? `e${outcome.error}@${consumed}` : `h${outcome.head.headers.length}@${consumed}`);
    }
    return outcomes.join(',');
  },

  'console: lines, errors, session switch, overflow'() {
    let out = '';
    let onData: ((d: Uint8Array) => void) | undefined;
    const uart = {
      open: (cb: (d: Uint8Array) => void) => (onData = cb),
      write: (d: Uint8Array) => (out += asciiDecode(d)),
      close: () => (onData = undefined),
    };
    const protocomm = new EchoProtocomm();
    const con = new ProtocommConsole({ uart, protocomm, logger: silentLog, endpointNames: () => ['proto-ver'] });
    con.start();
    const type = (t: string) => onData?.(asciiEncode(t));
    type('proto-ver 0 2d2d2d\r\n');
    type('prov-session 0 ee\r');
    type('prov-session 5 0A0b\n');
    type('proto-ver 5 abc\r');
    type('proto-ver x 00\r');
    type('help\r');
    type('y'.repeat(400) + '\r');
    con.stop();
    type('proto-ver 0 00\r');
    return { out, protocomm: protocomm.log };
  },
};
