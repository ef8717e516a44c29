// ESP32 socket host: firmware/host/socket.ts on the native esp-tls core (native/socket). TLS always verifies the
// chain against TlsOptions.ca (PEM, concatenated) with SNI = serverName; no insecure mode exists at any layer.
// listen() (SoftAP/HTTP transport, unified-provisioning.md §9.2) is a plain-TCP lwIP listener on all interfaces
// (the SoftAP's 192.168.4.1 included), at most 8 connections, served by one task (native/socket, socl_*).

import {
  SocketError,
  type Listener,
  type ListenerCallbacks,
  type Socket,
  type SocketCallbacks,
  type SocketErrorCode,
  type SocketHost,
  type TlsOptions,
} from '../socket';
import { bytes } from './status';

// socc_msg_type (native/socket/socket_core.h)
const MSG_CONNECT = 1;
const MSG_DATA = 2;
const MSG_CLOSE = 3;

type Dispatch = (type: number, a?: ArrayBuffer | string) => void;

class NativeSocket extends Native('xs_nc_socket_destructor') {
  constructor(host: string, port: number, ca: string | undefined, serverName: string | undefined, timeoutMs: number, dispatch: Dispatch) {
    super();
    native('xs_nc_socket_constructor').call(this, host, port, ca, serverName, timeoutMs, dispatch);
  }
  write(data: Uint8Array): number {
    return native('xs_nc_socket_write').call(this, data);
  }
  close(): void {
    native('xs_nc_socket_close').call(this);
  }
}

// socl_msg_type (native/socket/socket_core.h)
const MSG_ACCEPT = 1;
const MSG_CONN_DATA = 2;
const MSG_CONN_CLOSE = 3;
const MAX_LISTEN_CONNECTIONS = 8; // SOCL_MAX_CONN

type ListenerDispatch = (type: number, conn?: number, a?: string | ArrayBuffer) => void;

class NativeListener extends Native('xs_nc_listener_destructor') {
  constructor(port: number, maxConnections: number, dispatch: ListenerDispatch) {
    super();
    native('xs_nc_listener_constructor').call(this, port, maxConnections, dispatch);
  }
  port(): number {
    return native('xs_nc_listener_port').call(this);
  }
  write(conn: number, data: Uint8Array): number {
    return native('xs_nc_listener_write').call(this, conn, data);
  }
  closeConnection(conn: number): void {
    native('xs_nc_listener_close_conn').call(this, conn);
  }
  close(): void {
    native('xs_nc_listener_close').call(this);
  }
}

const MESSAGES: Record<string, string> = Object.freeze({
  DNS: 'host name did not resolve',
  REFUSED: 'connection refused',
  UNREACHABLE: 'host unreachable',
  TIMEOUT: 'timed out',
  RESET: 'connection reset',
  TLS_UNKNOWN_CA: 'server certificate not signed by a configured CA',
  TLS_NAME_MISMATCH: 'server certificate does not match the server name',
  TLS_EXPIRED: 'server certificate expired or not yet valid (is the clock set?)',
  TLS_HANDSHAKE: 'TLS handshake failed',
  INTERNAL: 'internal error',
});

function socketError(code: string): SocketError {
  const known = (code in MESSAGES ? code : 'INTERNAL') as SocketErrorCode;
  return new SocketError(known, MESSAGES[known] ?? known);
}

/** Concatenated PEMs for esp-tls (mbedTLS parses several certificates from one buffer). An empty or malformed
 * list is not thrown here: like the simulator, it ends in onClose(INTERNAL) (esp-tls: CA parse failure). */
function caBundle(tls: TlsOptions): string {
  if (typeof tls.serverName !== 'string' || tls.serverName.length === 0) {
    throw new RangeError('connect: tls.serverName must be a non-empty string');
  }
  return tls.ca.map((pem) => pem.trim()).join('\n') + (tls.ca.length ? '\n' : '');
}

export class Esp32SocketHost implements SocketHost {
  connect(options: { host: string; port: number; tls?: TlsOptions; timeoutMs: number }, callbacks: SocketCallbacks): Socket {
    if (typeof options.host !== 'string' || options.host.length === 0) throw new RangeError('connect: host must be a non-empty string');
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
      throw new RangeError(`connect: port ${options.port} is not 1..65535`);
    }
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) throw new RangeError('connect: timeoutMs must be > 0');
    const ca = options.tls ? caBundle(options.tls) : undefined;
    let closed = false;
    const dispatch: Dispatch = (type, a) => {
      if (closed) return;
      if (type === MSG_CONNECT) callbacks.onConnect();
      else if (type === MSG_DATA) callbacks.onData(bytes(a as ArrayBuffer));
      else if (type === MSG_CLOSE) {
        closed = true;
        callbacks.onClose(a ? socketError(a as string) : undefined);
      }
    };
    const sock = new NativeSocket(options.host, options.port, ca, options.tls?.serverName, options.timeoutMs, dispatch);
    return {
      write(data: Uint8Array): number {
        const queued = sock.write(data);
        if (queued < 0) throw new SocketError(queued === -1 ? 'CLOSED' : 'INTERNAL', 'socket is closed');
        return queued;
      },
      close(): void {
        sock.close(); // onClose(undefined) follows from the connection task
      },
    };
  }

  listen(options: { port: number; maxConnections: number }, callbacks: ListenerCallbacks): Listener {
    const { port, maxConnections } = options;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`listen: port ${port} is not 0..65535`);
    if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > MAX_LISTEN_CONNECTIONS) {
      throw new RangeError(`listen: maxConnections must be 1..${MAX_LISTEN_CONNECTIONS}`);
    }
    if (typeof callbacks?.onAccept !== 'function') throw new TypeError('listener callbacks need onAccept()');
    const open = new Map<number, SocketCallbacks>();
    let listener: NativeListener | undefined;
    const dispatch: ListenerDispatch = (type, conn, a) => {
      if (conn === undefined || !listener) return; // STOPPED (4) needs nothing here
      if (type === MSG_ACCEPT) accept(listener, conn, a as string);
      else if (type === MSG_CONN_DATA) open.get(conn)?.onData(bytes(a as ArrayBuffer));
      else if (type === MSG_CONN_CLOSE) {
        const cb = open.get(conn);
        open.delete(conn);
        cb?.onClose(a ? socketError(a as string) : undefined);
      }
    };
    const accept = (native: NativeListener, conn: number, remote: string): void => {
      const socket: Socket = {
        write(data: Uint8Array): number {
          const queued = native.write(conn, data);
          if (queued < 0) throw new SocketError(queued === -1 ? 'CLOSED' : 'INTERNAL', queued === -1 ? 'socket is closed' : 'no memory');
          return queued;
        },
        close(): void {
          native.closeConnection(conn); // the queue is sent first; onClose(undefined) follows
        },
      };
      let cb: SocketCallbacks;
      try {
        cb = callbacks.onAccept(socket, remote);
      } catch {
        native.closeConnection(conn); // a server that cannot take the connection drops it
        return;
      }
      open.set(conn, cb);
      cb.onConnect();
    };
    try {
      listener = new NativeListener(port, maxConnections, dispatch);
    } catch (error) {
      const inUse = (error as Error)?.message === 'EADDRINUSE';
      throw new SocketError('INTERNAL', `listen on port ${port} failed${inUse ? ': address in use' : ''}`);
    }
    const native = listener;
    return {
      port: native.port(),
      close(): void {
        native.close(); // stops accepting; established connections live on (as in the simulator)
      },
    };
  }
}
