// The MQTT link as the OpenRemote config channel reports it (openremote.md §0 item 6, §1.5: DISCONNECTED /
// CONNECTING / CONNECTED / FAILED, polled for up to 60 s), with the precise reason of the last failure.
// The socket seam (firmware/host/socket.ts) runs DNS, TCP and TLS as one connect() whose progress is not reported;
// which of them failed is read from the SocketError code instead (DNS / TCP / TLS_* / TIMEOUT).
import type { SocketErrorCode } from '../host/socket';
import type { ConnackReturnCodeName } from './packets';

export type LinkPhase =
  | 'stopped' // not started, or stop() was called
  | 'connecting' // DNS + TCP (+ TLS handshake and verification for mqtts) in progress
  | 'mqtt-connecting' // transport up, CONNECT sent, waiting for CONNACK (OpenRemote: a Keycloak login, §4.2)
  | 'online' // CONNACK 0 received
  | 'backing-off'; // waiting retryInMs before the next attempt; lastFailure says why

export type LinkFailureReason =
  | 'DNS' // host name did not resolve
  | 'TCP' // refused or unreachable
  | 'CONNECT_TIMEOUT' // DNS + TCP + TLS did not finish within connectTimeoutMs
  | 'TLS' // handshake or certificate failure (socketError says which: unknown CA, name mismatch, expired, ...)
  | 'SOCKET' // any other transport failure
  | 'NO_CONNACK' // transport closed after CONNECT without a CONNACK: OpenRemote/Artemis does this when the client
  //              id is still connected (allowLinkStealing=false, openremote.md §4.3); retry later
  | 'CONNACK_TIMEOUT' // no CONNACK within connackTimeoutMs
  | 'AUTH_REFUSED' // CONNACK 4 (bad username or password) or 5 (not authorized)
  | 'CONNACK_REFUSED' // CONNACK 1, 2 or 3
  | 'CONNECTION_LOST' // the link dropped while online (socketError undefined: the broker closed it, e.g. after an
  //                   unauthorised publish, openremote.md §4.5, or an admin/credential change, §4.7)
  | 'KEEPALIVE_TIMEOUT' // no PINGRESP within pingTimeoutMs (dead link)
  | 'PROTOCOL_ERROR'; // the broker sent something MQTT 3.1.1 forbids; we closed the connection (§4.8)

export interface LinkFailure {
  reason: LinkFailureReason;
  /** Transport error code, when a socket error was involved. */
  socketError?: SocketErrorCode;
  /** CONNACK return code and name, for AUTH_REFUSED / CONNACK_REFUSED. */
  connackCode?: number;
  connackName?: ConnackReturnCodeName | 'RESERVED';
  /** Human-readable detail for logs (never contains credentials). */
  detail: string;
  /** Monotonic ms when it happened. */
  atMs: number;
  /** Consecutive failures with this same reason since the link was last online (1 = first). */
  repeats: number;
}

export interface LinkState {
  phase: LinkPhase;
  tls: boolean;
  /** Consecutive failed attempts since the link was last stable. */
  attempt: number;
  /** Monotonic ms when this phase began. */
  sinceMs: number;
  /** In 'backing-off': delay until the next attempt. */
  retryInMs?: number;
  lastFailure?: LinkFailure;
}
