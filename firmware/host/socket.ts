// TCP socket host with optional TLS, plus a TCP listener (for the SoftAP/HTTP provisioning transport).
// ESP32: lwIP sockets; TLS through esp-tls on mbedTLS with the product's CA bundle (never Moddable's JS TLS, which
// blocks the VM for seconds per handshake). Simulator: node:net / node:tls against real peers on loopback.
//
// Contract:
// - connect() returns at once; exactly one of onConnect or onClose(error) follows. After onConnect, any number of
//   onData, then exactly one onClose (error undefined for an orderly close by the peer or by close()).
// - With `tls`, onConnect means the handshake completed AND the peer chain verified against `tls.ca` with
//   `tls.serverName` matching. There is no option to skip verification and no fallback to plain TCP.
// - write() queues the bytes (copying them) and returns the number of bytes still queued after this write;
//   it throws SocketError('CLOSED') on a closed socket. Writes are delivered in order.
// - Error codes are the reasons a firmware engineer needs to tell apart in the field.
// - listen() binds at once (a bind failure throws SocketError('INTERNAL')) and calls onAccept for each connection
//   up to maxConnections at a time; a host may cap maxConnections (ESP32: 8) and throws RangeError above its cap.
//   Listener.close() stops accepting; established connections live on until they close.

export type SocketErrorCode =
  | 'DNS' // name did not resolve
  | 'REFUSED' // TCP RST on connect
  | 'UNREACHABLE'
  | 'TIMEOUT' // connect or handshake timed out
  | 'RESET' // connection reset after establishment
  | 'TLS_UNKNOWN_CA'
  | 'TLS_NAME_MISMATCH'
  | 'TLS_EXPIRED'
  | 'TLS_HANDSHAKE' // any other handshake failure (protocol version, cipher, alert)
  | 'CLOSED'
  | 'INTERNAL';

export class SocketError extends Error {
  constructor(readonly code: SocketErrorCode, message: string) {
    super(message);
    this.name = 'SocketError';
  }
}

export interface TlsOptions {
  /** CA certificates in PEM; the chain must end in one of them. */
  ca: string[];
  /** Sent as SNI and checked against the certificate. */
  serverName: string;
}

export interface SocketCallbacks {
  onConnect(): void;
  onData(data: Uint8Array): void;
  onClose(error?: SocketError): void;
}

export interface Socket {
  write(data: Uint8Array): number;
  close(): void;
}

export interface ListenerCallbacks {
  /** Called for each accepted connection; returns the callbacks for it (onConnect is called at once). */
  onAccept(socket: Socket, remote: string): SocketCallbacks;
}

export interface Listener {
  readonly port: number;
  close(): void;
}

export interface SocketHost {
  connect(
    options: { host: string; port: number; tls?: TlsOptions; timeoutMs: number },
    callbacks: SocketCallbacks,
  ): Socket;
  /** port 0 lets the host choose (simulator); on the chip the SoftAP transport listens on 80. */
  listen(options: { port: number; maxConnections: number }, callbacks: ListenerCallbacks): Listener;
}
