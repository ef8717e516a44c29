// Simulator socket host (firmware/host/socket.ts) on node:net / node:tls, against real peers on loopback.
// TLS verifies the chain against the given CA PEMs only (never the system store), sends SNI and checks the name,
// and errors are mapped to the SocketErrorCode a firmware engineer needs to tell apart (esp-tls / lwIP reasons).
// Every callback into firmware goes through the FirmwareDispatcher: one at a time, and awaited when the firmware
// runs in xsnap and answers with a Promise (ListenerCallbacks.onAccept); data arriving meanwhile is buffered.
// Not modelled: lwIP buffer sizes and backpressure limits, Nagle timing, TLS fragment sizes, mbedTLS's cipher set.
// The connect timeout runs on real time even when the firmware uses a VirtualClock: the peers are real.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { LogHost } from '../../../firmware/host/log';
import {
  SocketError,
  type Listener,
  type ListenerCallbacks,
  type Socket,
  type SocketCallbacks,
  type SocketErrorCode,
  type SocketHost,
  type TlsOptions,
} from '../../../firmware/host/socket';
import { FirmwareDispatcher } from './dispatch';

export interface NodeSocketHostOptions {
  dispatcher?: FirmwareDispatcher;
  /** Host-side problems nobody else can see (a listener that failed to bind, a bad onAccept result). */
  log?: LogHost;
  /** After close(), how long queued bytes may take to drain before the connection is destroyed. Default 2000. */
  closeGraceMs?: number;
}

/** A Listener; `port` is known at once (see reserveEphemeralPort), `ready` tells when it accepts. */
export interface NodeListener extends Listener {
  /** Resolves with the bound port once listening; rejects with SocketError('INTERNAL') if binding failed. */
  readonly ready: Promise<number>;
}

const RESERVE_SCRIPT =
  "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";

/**
 * The seam's Listener.port is synchronous (the XS bridge answers the worker's listen request at once), but Node
 * binds asynchronously. So for port 0 a short-lived child process asks the kernel for a free ephemeral port on
 * 127.0.0.1 and releases it; the listener then binds that port. Another process taking it in between is
 * possible but very unlikely (Linux hands out ephemeral ports at random); it surfaces as `ready` rejecting.
 */
export function reserveEphemeralPort(): number {
  const out = execFileSync(process.execPath, ['-e', RESERVE_SCRIPT], { encoding: 'utf8', timeout: 10_000 });
  const port = Number(out);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SocketError('INTERNAL', `no ephemeral port: "${out}"`);
  return port;
}

export interface NodeSocketHost extends SocketHost {
  listen(options: { port: number; maxConnections: number }, callbacks: ListenerCallbacks): NodeListener;
  /** Simulated reboot / shutdown: destroys every connection and listener WITHOUT calling firmware callbacks
   * (the firmware instance they belong to is gone). */
  shutdown(): void;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
// OpenSSL verify results meaning "the chain does not end in a CA we trust".
const UNKNOWN_CA_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);
// Both are validity-period failures (mbedTLS: MBEDTLS_X509_BADCERT_EXPIRED / _FUTURE); a device with a wrong
// clock sees either, and the message says which.
const EXPIRED_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** Maps a Node socket error to the seam's code. `established` means onConnect was delivered. */
export function mapSocketError(error: NodeJS.ErrnoException, context: { tls: boolean; established: boolean }): SocketError {
  // With several addresses (localhost: ::1 and 127.0.0.1) Node may report an AggregateError of the attempts.
  const inner = (error as { errors?: NodeJS.ErrnoException[] }).errors;
  const code = error.code ?? (Array.isArray(inner) ? inner.find((e) => e?.code)?.code : undefined) ?? '';
  const detail = `${code || error.name}: ${error.message}`;
  const make = (c: SocketErrorCode) => new SocketError(c, detail);
  if (context.established) {
    if (RESET_CODES.has(code)) return make('RESET');
    if (code === 'ETIMEDOUT') return make('TIMEOUT');
    return make('INTERNAL');
  }
  if (DNS_CODES.has(code)) return make('DNS');
  if (code === 'ECONNREFUSED') return make('REFUSED');
  if (UNREACHABLE_CODES.has(code)) return make('UNREACHABLE');
  if (code === 'ETIMEDOUT') return make('TIMEOUT');
  if (UNKNOWN_CA_CODES.has(code)) return make('TLS_UNKNOWN_CA');
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return make('TLS_NAME_MISMATCH');
  if (EXPIRED_CODES.has(code)) return make('TLS_EXPIRED');
  // Anything else that breaks a TLS connection before the handshake completed is a handshake failure: alerts,
  // version or cipher mismatch, other verify errors, and the peer dropping the link mid-handshake.
  if (context.tls) return make('TLS_HANDSHAKE');
  if (RESET_CODES.has(code)) return make('RESET');
  return make('INTERNAL');
}

type State = 'connecting' | 'open' | 'closing' | 'closed';

/** One TCP/TLS connection as the firmware sees it. */
class Connection implements Socket {
  state: State;
  private callbacks: SocketCallbacks | undefined;
  /** Firmware callbacks waiting for `callbacks` (an accepted connection whose onAccept has not answered). */
  private pending: ((callbacks: SocketCallbacks) => unknown)[] = [];
  private error: SocketError | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  /** Set by shutdown(): the firmware is gone, deliver nothing. */
  private silenced = false;

  constructor(
    readonly sock: net.Socket,
    private readonly dispatcher: FirmwareDispatcher,
    private readonly isTls: boolean,
    private readonly closeGraceMs: number,
    private readonly onFinished: (c: Connection) => void,
    established: boolean,
  ) {
    this.state = established ? 'open' : 'connecting';
    sock.on('data', (chunk: Buffer) => {
      // After close() the firmware has let go of the socket (lwIP close()): later bytes are dropped.
      if (this.state === 'closing' || this.state === 'closed') return;
      const bytes = new Uint8Array(chunk); // a copy: never hand firmware a view into Node's buffer pool
      this.deliver((cb) => cb.onData(bytes));
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      this.error ??= mapSocketError(err, { tls: this.isTls, established: this.state !== 'connecting' });
    });
    sock.on('close', () => this.finish());
  }

  /** Attaches the firmware's callbacks and replays what was buffered. An accepted connection gets onConnect
   * first (ListenerCallbacks: "onConnect is called at once"). */
  setCallbacks(callbacks: SocketCallbacks, accepted = false): void {
    if (this.silenced) return;
    this.callbacks = callbacks;
    if (accepted) this.dispatcher.post(() => callbacks.onConnect());
    const queued = this.pending;
    this.pending = [];
    for (const call of queued) this.deliver(call);
  }

  /** The connection (and for TLS the verified handshake) is up. */
  established(): void {
    if (this.state !== 'connecting') return;
    this.state = 'open';
    this.deliver((cb) => cb.onConnect());
  }

  /** Ends the attempt with `error` (e.g. the connect timeout) unless something else ended it first. */
  fail(error: SocketError): void {
    this.error ??= error;
    this.sock.destroy();
  }

  write(data: Uint8Array): number {
    if (this.state === 'closing' || this.state === 'closed') throw new SocketError('CLOSED', 'write on a closed socket');
    if (!(data instanceof Uint8Array)) throw new TypeError('socket write needs a Uint8Array');
    this.sock.write(Buffer.from(data)); // Buffer.from(Uint8Array) copies: the caller may reuse its array
    return this.sock.writableLength;
  }

  close(): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    if (this.state === 'connecting') {
      this.state = 'closing';
      this.sock.destroy();
      return;
    }
    this.state = 'closing';
    // Like lwIP close(): queued bytes still go out, then FIN. A peer that never closes its side cannot hold us.
    this.sock.end();
    this.graceTimer = setTimeout(() => this.sock.destroy(), this.closeGraceMs);
  }

  shutdown(): void {
    this.silenced = true;
    this.sock.destroy();
  }

  private finish(): void {
    if (this.state === 'closed') return;
    const closedByUs = this.state === 'closing';
    const wasConnecting = this.state === 'connecting';
    this.state = 'closed';
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.onFinished(this);
    let error = closedByUs ? undefined : this.error;
    if (!closedByUs && wasConnecting && !error) error = new SocketError('INTERNAL', 'connection closed before it was established');
    this.deliver((cb) => cb.onClose(error));
  }

  private deliver(call: (callbacks: SocketCallbacks) => unknown): void {
    if (this.silenced) return;
    const callbacks = this.callbacks;
    if (!callbacks) {
      this.pending.push(call);
      return;
    }
    this.dispatcher.post(() => call(callbacks));
  }
}

function checkCallbacks(callbacks: SocketCallbacks): void {
  for (const name of ['onConnect', 'onData', 'onClose'] as const) {
    if (typeof callbacks?.[name] !== 'function') throw new TypeError(`socket callbacks need ${name}()`);
  }
}

/** Parses every CA PEM up front, so a malformed one is a clear error rather than a silent "unknown CA". */
function checkCaPems(options: TlsOptions): string | undefined {
  if (!Array.isArray(options.ca) || options.ca.length === 0) return 'tls.ca must hold at least one PEM certificate';
  for (let i = 0; i < options.ca.length; i++) {
    try {
      if (!new X509Certificate(options.ca[i]!).ca) return `tls.ca[${i}] is not a CA certificate`;
    } catch {
      return `tls.ca[${i}] is not a PEM certificate`;
    }
  }
  return undefined;
}

export function createNodeSocketHost(options: NodeSocketHostOptions = {}): NodeSocketHost {
  const dispatcher = options.dispatcher ?? new FirmwareDispatcher();
  const closeGraceMs = options.closeGraceMs ?? 2000;
  const connections = new Set<Connection>();
  const servers = new Set<net.Server>();

  const report = (message: string): void => {
    if (options.log) options.log.write('error', 'sim-socket', message);
    else process.emitWarning(message, 'SimSocketHost');
  };

  const track = (conn: Connection): Connection => {
    connections.add(conn);
    return conn;
  };
  const untrack = (conn: Connection): void => {
    connections.delete(conn);
  };

  return {
    connect({ host, port, tls: tlsOptions, timeoutMs }, callbacks) {
      checkCallbacks(callbacks);
      if (typeof host !== 'string' || host.length === 0) throw new RangeError('connect: host must be a non-empty string');
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`connect: port ${port} is not 1..65535`);
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`connect: timeoutMs ${timeoutMs} must be > 0`);
      if (tlsOptions && (typeof tlsOptions.serverName !== 'string' || tlsOptions.serverName.length === 0)) {
        throw new RangeError('connect: tls.serverName must be a non-empty string');
      }

      const caProblem = tlsOptions ? checkCaPems(tlsOptions) : undefined;
      let sock: net.Socket;
      if (tlsOptions && !caProblem) {
        const serverName = tlsOptions.serverName;
        sock = tls.connect({
          host,
          port,
          ca: tlsOptions.ca, // replaces Node's bundled root store: only these CAs are trusted
          // RFC 6066 forbids an IP literal as SNI; the name is still checked against the certificate below.
          servername: net.isIP(serverName) ? undefined : serverName,
          rejectUnauthorized: true,
          checkServerIdentity: (_host, cert) => tls.checkServerIdentity(serverName, cert),
        });
      } else {
        // With a bad CA list no connection is attempted; the socket below only carries the failure.
        sock = caProblem ? new net.Socket() : net.connect({ host, port });
      }
      const conn = track(new Connection(sock, dispatcher, Boolean(tlsOptions), closeGraceMs, untrack, false));
      conn.setCallbacks(callbacks);
      if (caProblem) {
        setImmediate(() => conn.fail(new SocketError('INTERNAL', caProblem)));
        return conn;
      }

      // One budget for DNS + TCP + TLS, as esp-tls's timeout_ms.
      const timer = setTimeout(() => {
        conn.fail(new SocketError('TIMEOUT', `no ${tlsOptions ? 'TLS session' : 'connection'} to ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      sock.once(tlsOptions ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        conn.established();
      });
      sock.once('close', () => clearTimeout(timer));
      return conn;
    },

    listen({ port, maxConnections }, callbacks) {
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`listen: port ${port} is not 0..65535`);
      if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new RangeError('listen: maxConnections must be >= 1');
      if (typeof callbacks?.onAccept !== 'function') throw new TypeError('listener callbacks need onAccept()');

      const boundPort = port === 0 ? reserveEphemeralPort() : port;
      const server = net.createServer();
      // Node destroys connections beyond this at once; lwIP would leave them in the backlog (not modelled).
      server.maxConnections = maxConnections;
      servers.add(server);

      server.on('connection', (sock) => {
        const conn = track(new Connection(sock, dispatcher, false, closeGraceMs, untrack, true));
        const remote = `${sock.remoteAddress}:${sock.remotePort}`;
        // On XS the answer is a Promise: data that arrives before it settles waits in the connection.
        dispatcher.request(() => callbacks.onAccept(conn, remote)).then(
          (socketCallbacks) => {
            try {
              checkCallbacks(socketCallbacks);
            } catch (error) {
              report(`onAccept returned unusable callbacks: ${(error as Error).message}`);
              conn.shutdown();
              return;
            }
            conn.setCallbacks(socketCallbacks, true);
          },
          (error) => {
            report(`onAccept threw: ${(error as Error)?.message ?? String(error)}`);
            conn.shutdown();
          },
        );
      });

      const ready = new Promise<number>((resolve, reject) => {
        server.once('listening', () => resolve((server.address() as net.AddressInfo).port));
        server.once('error', (err: NodeJS.ErrnoException) => {
          servers.delete(server);
          const error = new SocketError('INTERNAL', `listen on 127.0.0.1:${boundPort} failed: ${err.code ?? ''} ${err.message}`);
          report(error.message);
          reject(error);
        });
      });
      ready.catch(() => undefined); // reported above; awaiting `ready` still sees the rejection
      server.listen({ port: boundPort, host: '127.0.0.1' });

      return {
        port: boundPort,
        ready,
        close() {
          // Stops accepting; established connections live on, as with lwIP.
          servers.delete(server);
          server.close();
        },
      };
    },

    shutdown() {
      for (const conn of connections) conn.shutdown();
      connections.clear();
      for (const server of servers) server.close();
      servers.clear();
    },
  };
}
