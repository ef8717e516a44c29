// SoftAP/HTTP provisioning transport: a small HTTP/1.1 server that maps `POST /<endpoint>` to Protocomm.handle
// (unified-provisioning.md §9.2, §13 item 9; esp-idf protocomm_httpd on esp_http_server with max_open_sockets = 1
// and LRU purge). Framing and limits live here; the cookie session rule is in ./http-session, head parsing in
// ./http-request. Bodies are binary; nothing from a request body or a cookie is ever logged.

import type { CryptoHost } from '../host/crypto';
import type { Listener, Socket, SocketCallbacks, SocketHost } from '../host/socket';
import type { TimerHost, TimerId } from '../host/timers';
import type { Protocomm } from '../protocomm/types';
import { asciiEncode, concat } from '../util/bytes';
import type { Logger } from '../util/log';
import {
  DEFAULT_HEAD_LIMITS,
  RequestHeadParser,
  bodyFraming,
  headerValues,
  wantsClose,
  type HttpHeadLimits,
  type RequestHead,
} from './http-request';
import { HttpSessionRule } from './http-session';

/** What the transport needs of an endpoint-table entry (firmware/provisioning ProvEndpoint fits). */
export interface TransportEndpoint {
  readonly name: string;
}

/** protocomm_httpd's MAX_REQ_BODY_LEN: bodies of 0 or more than 4096 bytes are a handler error (§9.2). */
export const MAX_BODY_BYTES = 4096;

export interface HttpdOptions {
  socket: SocketHost;
  timers: TimerHost;
  crypto: CryptoHost;
  logger: Logger;
  protocomm: Protocomm;
  /** Whether `name` is a registered endpoint (decides 404 versus dispatch, like esp_http_server's URI table).
   * Used when start() is not given the endpoint list. */
  hasEndpoint?: (name: string) => boolean;
  /** 80 on the chip; 0 lets the simulator's host pick a loopback port. */
  port?: number;
  /** esp_http_server max_open_sockets as protocomm_httpd configures it: 1, with LRU purge. */
  maxOpenSockets?: number;
  /** A request must be complete this long after its first byte, or the server answers 408 and closes
   * (slowloris guard; esp_prov sends each request in one write). */
  requestTimeoutMs?: number;
  /** Closes a connection that sits between requests this long. 0 (default) disables it: esp_prov keeps one
   * connection open while its user types (e.g. picks an AP), and a closed keep-alive connection makes it fail.
   * Idle connections cost nothing extra because a new connection purges the least recently used one. */
  idleTimeoutMs?: number;
  headLimits?: Partial<HttpHeadLimits>;
  /** Unconsumed input (pipelined requests behind one in progress) above this closes the connection. */
  maxPendingBytes?: number;
  /** Response bytes queued in the socket above this close the connection (a client that never reads). */
  maxQueuedWriteBytes?: number;
}

const STATUS_TEXT: Record<number, string> = Object.freeze({
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
  505: 'HTTP Version Not Supported',
});

interface ConnectionConfig {
  limits: HttpHeadLimits;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  maxPendingBytes: number;
  maxQueuedWriteBytes: number;
  timers: TimerHost;
  log: Logger;
}

type ConnectionState = 'head' | 'body' | 'queued' | 'busy' | 'closed';

interface ReadyRequest {
  endpoint: string;
  head: RequestHead;
  body: Uint8Array;
}

/** The provisioning HTTP server. start() listens; stop() closes every connection and ends the session. */
export class ProtocommHttpd {
  private readonly log: Logger;
  private readonly maxOpenSockets: number;
  /** Settings every connection reads. */
  readonly config: ConnectionConfig;
  private readonly sessions: HttpSessionRule<HttpConnection>;
  private listener: Listener | undefined;
  private readonly open = new Set<HttpConnection>();
  private lruClock = 0;
  private nextConnectionId = 1;
  /** esp_http_server runs one handler at a time on its task; a deferred reply (Wi-Fi scan) holds the server. */
  private inFlight: HttpConnection | undefined;
  private readonly waiting: HttpConnection[] = [];
  private scheduling = false;
  /** URI table from start(endpoints): protocomm_httpd registers one `POST /<name>` handler per endpoint. */
  private endpointNames: Set<string> | undefined;

  constructor(private readonly options: HttpdOptions) {
    this.log = options.logger.child('httpd');
    this.maxOpenSockets = Math.max(1, options.maxOpenSockets ?? 1);
    this.config = {
      limits: { ...DEFAULT_HEAD_LIMITS, ...options.headLimits },
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 0,
      maxPendingBytes: options.maxPendingBytes ?? 32 * 1024,
      maxQueuedWriteBytes: options.maxQueuedWriteBytes ?? 64 * 1024,
      timers: options.timers,
      log: this.log,
    };
    this.sessions = new HttpSessionRule<HttpConnection>({
      randomId: () => {
        const b = options.crypto.randomBytes(4);
        return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
      },
      closeSession: (id) => options.protocomm.closeTransportSession(id),
      newSession: (id) => options.protocomm.newTransportSession(id),
    });
  }

  /** Starts listening and returns the Listener. Its `port` is the bound port once the host has bound it (at once on
   * the chip; the Node simulator binds asynchronously, port 0 meaning "any"). */
  start(endpoints?: readonly TransportEndpoint[]): Listener {
    if (this.listener) throw new Error('httpd already started');
    if (endpoints) this.endpointNames = new Set(endpoints.map((e) => e.name));
    else if (!this.options.hasEndpoint) throw new Error('httpd: no endpoint list and no hasEndpoint option');
    // The host must accept one connection beyond max_open_sockets: like esp_http_server, the server accepts the
    // newcomer and then purges the least recently used connection (plus one for a purge deferred by a busy one).
    this.listener = this.options.socket.listen(
      { port: this.options.port ?? 80, maxConnections: this.maxOpenSockets + 2 },
      { onAccept: (socket, remote) => this.accept(socket, remote) },
    );
    this.log.info(`listening (port ${this.options.port ?? 80} requested)`);
    return this.listener;
  }

  get port(): number | undefined {
    return this.listener?.port;
  }

  /** Number of open connections (for tests and diagnostics). */
  get openConnections(): number {
    return this.open.size;
  }

  /** Stops listening, closes every connection and ends the protocomm session (provisioning finished). */
  stop(): void {
    const listener = this.listener;
    if (!listener) return;
    this.listener = undefined;
    try {
      listener.close();
    } catch (error) {
      this.log.warn(`listener close failed: ${(error as Error).message}`);
    }
    for (const c of [...this.open]) c.close('server stopped');
    this.waiting.length = 0;
    // A reply still owed for a closed connection is dropped when it comes; a restarted server must not wait for it.
    this.inFlight = undefined;
    this.sessions.end();
    this.log.info('stopped');
  }

  // ---- called by connections ----

  touch(): number {
    return ++this.lruClock;
  }

  hasEndpoint(name: string): boolean {
    if (this.endpointNames) return this.endpointNames.has(name);
    try {
      return this.options.hasEndpoint ? this.options.hasEndpoint(name) : false;
    } catch {
      return false;
    }
  }

  /** A connection holds a complete request; requests run one at a time across the server, in arrival order. */
  enqueue(connection: HttpConnection): void {
    this.waiting.push(connection);
    this.schedule();
  }

  connectionClosed(connection: HttpConnection): void {
    this.open.delete(connection);
    this.sessions.connectionClosed(connection);
    // An in-flight request keeps the server busy until protocomm replies, even if its socket is gone: protocomm
    // must never see two requests at once.
  }

  requestDone(connection: HttpConnection): void {
    if (this.inFlight === connection) this.inFlight = undefined;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduling) return;
    this.scheduling = true;
    try {
      while (!this.inFlight && this.waiting.length > 0) {
        const next = this.waiting.shift() as HttpConnection;
        const request = next.takeReady();
        if (!request) continue; // closed while waiting
        this.inFlight = next;
        this.dispatch(next, request);
      }
    } finally {
      this.scheduling = false;
    }
  }

  private dispatch(connection: HttpConnection, request: ReadyRequest): void {
    const decision = this.sessions.resolve(connection, headerValues(request.head, 'cookie'));
    if (decision.isNew) this.log.debug(`connection ${connection.id}: new session`);
    let replied = false;
    const reply = (response: Uint8Array | undefined) => {
      if (replied) {
        this.log.warn('protocomm replied twice; second reply ignored');
        return;
      }
      replied = true;
      connection.finishRequest(response, decision.isNew ? decision.sessionId : undefined);
      this.requestDone(connection);
    };
    try {
      this.options.protocomm.handle(request.endpoint, decision.sessionId, request.body, reply);
    } catch (error) {
      // Protocomm.handle never throws by contract; if it does, treat it as a handler error.
      this.log.error(`protocomm.handle threw: ${(error as Error).message}`);
      if (!replied) reply(undefined);
    }
  }

  private accept(socket: Socket, remote: string): SocketCallbacks {
    const connection = new HttpConnection(this, socket, this.nextConnectionId++);
    if (!this.listener) {
      // Accepted during stop(): refuse.
      connection.close('server stopped');
      return connection.callbacks;
    }
    this.log.debug(`connection ${connection.id} from ${remote}`);
    // LRU purge: with max_open_sockets reached, the least recently used connection makes room for the newcomer.
    // A connection whose request is being handled finishes it first (the reference cannot accept meanwhile).
    for (;;) {
      const candidates = [...this.open].filter((c) => !c.closeAfterResponse);
      if (candidates.length < this.maxOpenSockets) break;
      let lru = candidates[0];
      for (const c of candidates) if (c.lastUsed < lru.lastUsed) lru = c;
      if (lru === this.inFlight) {
        lru.closeAfterResponse = true;
        this.log.debug(`connection ${lru.id}: purged after its response (LRU)`);
      } else {
        lru.close('purged (LRU)');
      }
    }
    this.open.add(connection);
    connection.lastUsed = this.touch();
    connection.armIdle();
    return connection.callbacks;
  }
}

/** One TCP connection: parses requests in order, one at a time (pipelining-safe), and writes responses. */
class HttpConnection {
  state: ConnectionState = 'head';
  lastUsed = 0;
  closeAfterResponse = false;
  readonly callbacks: SocketCallbacks;
  private readonly parser: RequestHeadParser;
  private head: RequestHead | undefined;
  private endpoint = '';
  private body: Uint8Array | undefined;
  private bodyFilled = 0;
  private ready: ReadyRequest | undefined;
  private readonly pending: Uint8Array[] = [];
  private pendingOffset = 0;
  private pendingBytes = 0;
  private requestTimer: TimerId | undefined;
  private idleTimer: TimerId | undefined;
  private pumping = false;
  private pumpAgain = false;

  constructor(
    private readonly server: ProtocommHttpd,
    private readonly socket: Socket,
    readonly id: number,
  ) {
    this.parser = new RequestHeadParser(server.config.limits);
    this.callbacks = {
      onConnect: () => {},
      onData: (data) => this.onData(data),
      onClose: (error) => this.onClosed(error ? error.code : undefined),
    };
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  armIdle(): void {
    const { idleTimeoutMs, timers } = this.server.config;
    if (idleTimeoutMs <= 0 || this.closed) return;
    this.clearIdle();
    this.idleTimer = timers.setTimeout(() => {
      this.idleTimer = undefined;
      if (this.state === 'head' && !this.parser.started && this.pendingBytes === 0) this.close('idle timeout');
    }, idleTimeoutMs);
  }

  takeReady(): ReadyRequest | undefined {
    if (this.closed || this.state !== 'queued') return undefined;
    const r = this.ready;
    this.ready = undefined;
    if (r) this.state = 'busy';
    return r;
  }

  /** Protocomm answered the current request: write the 200 response, or close on a handler error (§9.2). */
  finishRequest(response: Uint8Array | undefined, newSessionId: number | undefined): void {
    if (this.closed) return; // socket went away meanwhile; the answer has nowhere to go
    if (response === undefined) {
      // "uri handler execution failed": no HTTP response, the TCP connection is closed.
      this.close('handler error');
      return;
    }
    let head = `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${response.length}\r\n`;
    if (newSessionId !== undefined) head += `Set-Cookie: session=${newSessionId}\r\n`;
    head += '\r\n';
    if (!this.write(concat(asciiEncode(head), response))) return;
    const closeNow = this.closeAfterResponse || (this.head !== undefined && wantsClose(this.head));
    this.resetRequest();
    if (closeNow) {
      this.close('closed after response');
      return;
    }
    this.state = 'head';
    this.armIdle();
    this.pump();
  }

  close(reason: string): void {
    if (this.closed) return;
    this.server.config.log.debug(`connection ${this.id}: close (${reason})`);
    this.teardown();
    try {
      this.socket.close();
    } catch {
      // Already closed by the host: nothing to do.
    }
  }

  private onClosed(code: string | undefined): void {
    if (this.closed) return;
    this.server.config.log.debug(`connection ${this.id}: closed by peer${code ? ` (${code})` : ''}`);
    this.teardown();
  }

  private teardown(): void {
    this.state = 'closed';
    this.clearRequestTimer();
    this.clearIdle();
    this.pending.length = 0;
    this.pendingBytes = 0;
    this.pendingOffset = 0;
    this.ready = undefined;
    if (this.body) this.body.fill(0);
    this.body = undefined;
    this.head = undefined;
    this.parser.reset();
    this.server.connectionClosed(this);
  }

  private onData(data: Uint8Array): void {
    if (this.closed || data.length === 0) return;
    this.lastUsed = this.server.touch();
    // Copy: the host may reuse its receive buffer after this callback.
    this.pending.push(data.slice());
    this.pendingBytes += data.length;
    this.pump();
  }

  /** Consumes pending input while the connection may read (not while a request waits for protocomm). */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.consume();
      } while (this.pumpAgain && !this.closed);
    } finally {
      this.pumping = false;
    }
    if (!this.closed && this.pendingBytes > this.server.config.maxPendingBytes) this.close('too much pipelined input');
  }

  private consume(): void {
    while (!this.closed && (this.state === 'head' || this.state === 'body') && this.pendingBytes > 0) {
      const chunk = this.pending[0];
      const offset = this.pendingOffset;
      let used: number;
      if (this.state === 'head') {
        this.clearIdle();
        if (this.requestTimer === undefined) this.armRequestTimer();
        const { consumed, outcome } = this.parser.feed(chunk, offset);
        used = consumed;
        this.advance(chunk, used);
        if (outcome) {
          if ('error' in outcome) {
            this.server.config.log.debug(`connection ${this.id}: ${outcome.reason}`);
            this.respondErrorAndClose(outcome.error);
            return;
          }
          this.onHead(outcome.head);
        }
      } else {
        const body = this.body as Uint8Array;
        used = Math.min(body.length - this.bodyFilled, chunk.length - offset);
        body.set(chunk.subarray(offset, offset + used), this.bodyFilled);
        this.bodyFilled += used;
        this.advance(chunk, used);
        if (this.bodyFilled === body.length) this.requestComplete();
      }
    }
  }

  private advance(chunk: Uint8Array, used: number): void {
    this.pendingOffset += used;
    this.pendingBytes -= used;
    if (this.pendingOffset >= chunk.length) {
      this.pending.shift();
      this.pendingOffset = 0;
    }
  }

  private onHead(head: RequestHead): void {
    this.head = head;
    // Route like esp_http_server: the path (query ignored) names the endpoint; unknown → 404, known but not POST
    // → 405. Both close the connection afterwards, as esp_http_server does after a default error response.
    const q = head.target.indexOf('?');
    const path = q >= 0 ? head.target.slice(0, q) : head.target;
    const endpoint = path.charCodeAt(0) === 47 /* '/' */ ? path.slice(1) : '';
    if (endpoint.length === 0 || !this.server.hasEndpoint(endpoint)) {
      this.respondErrorAndClose(404);
      return;
    }
    if (head.method !== 'POST') {
      this.respondErrorAndClose(405);
      return;
    }
    const framing = bodyFraming(head, MAX_BODY_BYTES + 1);
    if (framing.kind === 'invalid') {
      this.respondErrorAndClose(400);
      return;
    }
    if (framing.kind !== 'length' || framing.length === 0 || framing.length > MAX_BODY_BYTES) {
      // protocomm_httpd: Content-Length required and 1..4096; otherwise the handler fails → close, no response.
      this.server.config.log.debug(`connection ${this.id}: body framing rejected (${framing.kind})`);
      this.close('body length not acceptable');
      return;
    }
    this.endpoint = endpoint;
    this.body = new Uint8Array(framing.length);
    this.bodyFilled = 0;
    this.state = 'body';
  }

  private requestComplete(): void {
    this.clearRequestTimer();
    this.ready = { endpoint: this.endpoint, head: this.head as RequestHead, body: this.body as Uint8Array };
    this.state = 'queued';
    this.server.enqueue(this);
  }

  private resetRequest(): void {
    this.parser.reset();
    if (this.body) this.body.fill(0);
    this.body = undefined;
    this.bodyFilled = 0;
    this.head = undefined;
    this.endpoint = '';
    this.ready = undefined;
  }

  private respondErrorAndClose(status: number): void {
    const text = STATUS_TEXT[status] ?? 'Error';
    const body = `${status} ${text}`;
    let head = `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n`;
    if (status === 405) head += 'Allow: POST\r\n';
    head += 'Connection: close\r\n\r\n';
    if (this.write(asciiEncode(head + body))) this.close(`answered ${status}`);
  }

  /** Writes bytes; false (and the connection closed) when the socket is gone or the client stopped reading. */
  private write(bytes: Uint8Array): boolean {
    try {
      const queued = this.socket.write(bytes);
      if (queued > this.server.config.maxQueuedWriteBytes) {
        this.close('client is not reading');
        return false;
      }
      return true;
    } catch {
      this.onClosed('CLOSED');
      return false;
    }
  }

  private armRequestTimer(): void {
    const { requestTimeoutMs, timers } = this.server.config;
    if (requestTimeoutMs <= 0) return;
    this.requestTimer = timers.setTimeout(() => {
      this.requestTimer = undefined;
      if (this.state === 'head' || this.state === 'body') this.respondErrorAndClose(408);
    }, requestTimeoutMs);
  }

  private clearRequestTimer(): void {
    if (this.requestTimer !== undefined) this.server.config.timers.clear(this.requestTimer);
    this.requestTimer = undefined;
  }

  private clearIdle(): void {
    if (this.idleTimer !== undefined) this.server.config.timers.clear(this.idleTimer);
    this.idleTimer = undefined;
  }
}
