// protocomm core (unified-provisioning.md §1): the endpoint registry (version / session / request endpoints with
// exact-name dispatch), one secure session at a time keyed by the transport session id, and the REQ pipeline
// decrypt -> handler -> encrypt. Every error is "no response" (reply(undefined)); nothing throws out of handle().
import type { ClockHost } from '../host/clock';
import type { CryptoHost } from '../host/crypto';
import type { Logger } from '../util/log';
import { AttemptLimiter, type AttemptLimitOptions } from './attempt-limiter';
import { createSecurityScheme, securityHasPop, type SecurityConfig } from './security/index';
import type {
  EndpointHandler,
  EndpointKind,
  EndpointRegistry,
  Protocomm,
  Reply,
  SecurityScheme,
  SecuritySessionEvent,
  SecuritySessionEventHandler,
} from './types';
import { ProtoVersion, type ProtoVersionOptions } from './version';

export const VERSION_ENDPOINT = 'proto-ver';
export const SESSION_ENDPOINT = 'prov-session';

export interface ProtocommOptions {
  crypto: CryptoHost;
  /** Monotonic time for the attempt-limit window. */
  clock: ClockHost;
  log?: Logger;
  security: SecurityConfig;
  /** proto-ver contents besides the security fields (§6.2). */
  version?: Omit<ProtoVersionOptions, 'securityVersion' | 'securityPatchVersion' | 'hasPop'>;
  /** Brute-force limit on session establishment (beyond the reference). Default: 5 failures, until reboot. */
  attemptLimit?: AttemptLimitOptions;
  /** PROTOCOMM_SECURITY_SESSION_EVENT for the application (§8.7). */
  onSessionEvent?: SecuritySessionEventHandler;
}

interface Endpoint {
  kind: EndpointKind;
  handler?: EndpointHandler;
}

/** Identifies one in-flight REQ call and the session it belongs to. */
interface InFlight {
  generation: number;
}

export class ProtocommCore implements Protocomm, EndpointRegistry {
  /** The proto-ver document; application labels are added with versionInfo.setAppInfo (§6.2). */
  readonly versionInfo: ProtoVersion;
  readonly security: SecurityScheme;

  private readonly log: Logger | undefined;
  private readonly limiter: AttemptLimiter;
  private readonly onSessionEvent: SecuritySessionEventHandler | undefined;
  private readonly endpoints = new Map<string, Endpoint>();
  private currentSession: number | undefined;
  /** Bumped on every transport-session change, so a late handler reply from an old session is dropped. */
  private generation = 0;
  private inFlight: InFlight | undefined;

  constructor(options: ProtocommOptions) {
    this.log = options.log;
    this.onSessionEvent = options.onSessionEvent;
    this.limiter = new AttemptLimiter(options.clock, options.log, options.attemptLimit);
    this.security = createSecurityScheme(options.security, options.crypto, options.log, (event, id) =>
      this.sessionEvent(event, id),
    );
    this.versionInfo = new ProtoVersion({
      ...options.version,
      securityVersion: this.security.version,
      securityPatchVersion: this.security.patchVersion,
      hasPop: securityHasPop(options.security),
    });
    // Created from the configuration, like wifi_prov_mgr_start_service does (§1.2). Map order is creation order.
    this.endpoints.set(VERSION_ENDPOINT, { kind: 'version' });
    this.endpoints.set(SESSION_ENDPOINT, { kind: 'session' });
  }

  addEndpoint(name: string, handler: EndpointHandler): void {
    if (typeof name !== 'string' || name.length === 0) throw new RangeError('endpoint name must be a non-empty string');
    if (typeof handler !== 'function') throw new TypeError('endpoint handler must be a function');
    const existing = this.endpoints.get(name);
    if (existing && existing.kind !== 'request') throw new RangeError(`endpoint "${name}" is reserved`);
    this.endpoints.set(name, { kind: 'request', handler });
  }

  removeEndpoint(name: string): void {
    const existing = this.endpoints.get(name);
    if (existing && existing.kind === 'request') this.endpoints.delete(name);
  }

  /** Endpoint names and kinds in creation order (transports derive BLE UUIDs from the order, §1.2). */
  listEndpoints(): { name: string; kind: EndpointKind }[] {
    const out: { name: string; kind: EndpointKind }[] = [];
    this.endpoints.forEach((ep, name) => out.push({ name, kind: ep.kind }));
    return out;
  }

  handle(endpoint: string, sessionId: number, request: Uint8Array, reply: Reply): void {
    if (typeof reply !== 'function') return;
    let replied = false;
    const once: Reply = (response) => {
      if (replied) return;
      replied = true;
      try {
        reply(response);
      } catch (error) {
        this.log?.warn(`transport reply callback threw: ${describe(error)}`);
      }
    };
    try {
      if (typeof endpoint !== 'string' || !(request instanceof Uint8Array) || typeof sessionId !== 'number') {
        once(undefined);
        return;
      }
      // A private copy: the transport may reuse its buffer, and a Node Buffer view would alias it.
      this.dispatch(endpoint, sessionId, new Uint8Array(request), once);
    } catch (error) {
      this.log?.warn(`${String(endpoint)}: ${describe(error)}`);
      once(undefined);
    }
  }

  newTransportSession(sessionId: number): void {
    this.guard('newTransportSession', () => {
      // One session at a time (§1.1): the previous one is wiped first.
      if (this.currentSession !== undefined) this.security.closeTransportSession(this.currentSession);
      this.security.newTransportSession(sessionId);
      this.currentSession = sessionId;
      this.generation++;
      this.inFlight = undefined;
    });
  }

  closeTransportSession(sessionId: number): void {
    this.guard('closeTransportSession', () => {
      if (sessionId !== this.currentSession) return;
      this.security.closeTransportSession(sessionId);
      this.currentSession = undefined;
      this.generation++;
      this.inFlight = undefined;
    });
  }

  /** Provisioning stopped: wipes all key material. */
  cleanup(): void {
    this.guard('cleanup', () => {
      this.security.cleanup();
      this.currentSession = undefined;
      this.generation++;
      this.inFlight = undefined;
    });
  }

  /** True while new session messages are refused by the brute-force limit. */
  sessionsLocked(): boolean {
    return this.limiter.locked();
  }

  private dispatch(name: string, sessionId: number, request: Uint8Array, reply: Reply): void {
    const endpoint = this.endpoints.get(name);
    if (!endpoint) {
      this.log?.debug(`unknown endpoint "${name}"`);
      reply(undefined);
      return;
    }
    // The reference serialises requests on the transport (a blocking scan holds it); while a handler is still
    // working, any other request is refused so the sec1 keystream and sec2 counter stay in call order.
    if (this.inFlight) {
      this.log?.warn(`${name}: request while another is in flight, refused`);
      reply(undefined);
      return;
    }
    switch (endpoint.kind) {
      case 'version':
        // VER_EP ignores the request body and is never encrypted (§6.1).
        reply(this.versionInfo.toBytes());
        return;
      case 'session':
        if (this.limiter.locked()) {
          this.limiter.noteRefused();
          this.log?.debug('prov-session refused: too many failed session attempts');
          reply(undefined);
          return;
        }
        reply(this.security.handleSession(sessionId, request));
        return;
      case 'request':
        this.dispatchRequest(name, endpoint.handler as EndpointHandler, sessionId, request, reply);
        return;
    }
  }

  private dispatchRequest(name: string, handler: EndpointHandler, sessionId: number, request: Uint8Array, reply: Reply): void {
    const plain = this.security.decrypt(sessionId, request);
    if (!plain) {
      this.log?.warn(`${name}: no secure session or decryption failed`);
      reply(undefined);
      return;
    }
    const token: InFlight = { generation: this.generation };
    this.inFlight = token;
    let done = false;
    const finish: Reply = (response) => {
      if (done) return; // a handler answering twice: the first answer counts
      done = true;
      if (this.inFlight === token) this.inFlight = undefined;
      try {
        if (token.generation !== this.generation) {
          // The transport session changed while the handler worked: the keys it would need are gone.
          reply(undefined);
          return;
        }
        if (!(response instanceof Uint8Array)) {
          reply(undefined);
          return;
        }
        reply(this.security.encrypt(sessionId, response));
      } catch (error) {
        this.log?.warn(`${name}: encrypting the response failed: ${describe(error)}`);
        reply(undefined);
      }
    };
    try {
      handler(sessionId, plain, finish);
    } catch (error) {
      this.log?.warn(`${name}: handler threw: ${describe(error)}`);
      finish(undefined);
    }
  }

  private sessionEvent(event: SecuritySessionEvent, sessionId: number): void {
    if (event === 'CREDENTIALS_MISMATCH') this.limiter.recordFailure();
    else if (event === 'SETUP_OK') this.limiter.recordSuccess();
    if (!this.onSessionEvent) return;
    try {
      this.onSessionEvent(event, sessionId);
    } catch (error) {
      this.log?.warn(`session event handler threw on ${event}: ${describe(error)}`);
    }
  }

  private guard(what: string, action: () => void): void {
    try {
      action();
    } catch (error) {
      this.log?.error(`${what}: ${describe(error)}`);
    }
  }
}

export function createProtocomm(options: ProtocommOptions): ProtocommCore {
  return new ProtocommCore(options);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
