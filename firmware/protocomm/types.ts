// Protocomm's contracts (unified-provisioning.md §1): what transports call and what endpoint handlers implement.
// Layering (style.md): transport -> Protocomm.handle -> security scheme (decrypt) -> handler -> (encrypt) -> reply.

/** Delivers the response for one request: bytes to send, or undefined for "no response" (a handler or security
 * error). The transport decides what no-response means on its wire (§9: HTTP closes the socket, NimBLE answers the
 * write with ATT error 0x04, the console prints nothing). Called exactly once per handle() call, synchronously or
 * later (a blocking Wi-Fi scan answers when the scan is done). */
export type Reply = (response: Uint8Array | undefined) => void;

/** An endpoint handler sees plaintext only. It calls reply exactly once (undefined = handler error). */
export type EndpointHandler = (sessionId: number, request: Uint8Array, reply: Reply) => void;

export type EndpointKind = 'version' | 'session' | 'request';

export interface Protocomm {
  /** Entry point for every transport. Never throws; unknown endpoints and all errors reply undefined. */
  handle(endpoint: string, sessionId: number, request: Uint8Array, reply: Reply): void;
  /** A transport session began (BLE connect, new HTTP cookie, new console id): closes any previous session. */
  newTransportSession(sessionId: number): void;
  /** The transport session ended (BLE disconnect): wipes keys and session state. */
  closeTransportSession(sessionId: number): void;
}

/** Synchronous protocomm security schemes (sec0/1/2) implement this table, like
 * esp-idf protocomm_security_t (init/cleanup/new/close session, session handler, encrypt, decrypt). */
export interface SecurityScheme {
  readonly version: 0 | 1 | 2;
  readonly patchVersion: number;
  newTransportSession(sessionId: number): void;
  closeTransportSession(sessionId: number): void;
  /** prov-session payload in, SessionData out; undefined = error (no response). */
  handleSession(sessionId: number, request: Uint8Array): Uint8Array | undefined;
  /** undefined = the session is not established or decryption failed (no response). */
  decrypt(sessionId: number, data: Uint8Array): Uint8Array | undefined;
  encrypt(sessionId: number, data: Uint8Array): Uint8Array | undefined;
  /** Wipes all key material (provisioning stopped). */
  cleanup(): void;
}

/** How the provisioning manager (and applications, e.g. OpenRemote's or-cfg) attach REQ endpoint handlers to a
 * protocomm instance (esp-idf protocomm_add_endpoint / protocomm_remove_endpoint). Names are exact and
 * case-sensitive. Adding an existing name replaces its handler. */
export interface EndpointRegistry {
  addEndpoint(name: string, handler: EndpointHandler): void;
  removeEndpoint(name: string): void;
}

/** protocomm security session events (§8.7 PROTOCOMM_SECURITY_SESSION_EVENT: SETUP_OK = 0,
 * INVALID_SECURITY_PARAMS = 1, CREDENTIALS_MISMATCH = 2), posted by sec1/sec2 for the application. */
export type SecuritySessionEvent = 'SETUP_OK' | 'INVALID_SECURITY_PARAMS' | 'CREDENTIALS_MISMATCH';

export type SecuritySessionEventHandler = (event: SecuritySessionEvent, sessionId: number) => void;
