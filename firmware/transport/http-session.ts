// The SoftAP/HTTP transport's session rule (unified-provisioning.md §9.2 "Session rule", and the protocomm_httpd
// cookie fix listed in field-notes.md §3.1/§3.2): decides for each request whether it continues the one protocomm
// session or starts a new one, and owns the cookie value. Pure logic; randomness and protocomm are injected.

/** A cookie text longer than this is treated as absent (§9.2 rule 5: the reference reads it into a 20-byte buffer;
 * "session=4294967295" is 18 characters). */
export const MAX_SESSION_COOKIE_CHARS = 19;

export interface SessionDecision {
  sessionId: number;
  /** The request starts a new session: its response carries `Set-Cookie: session=<id>`. */
  isNew: boolean;
}

export interface SessionRuleHooks {
  /** A fresh uniformly random 32-bit id (ESP32: esp_random through the crypto host). */
  randomId(): number;
  /** Closes the previous security session (protocomm close_transport_session). */
  closeSession(sessionId: number): void;
  /** Starts a new one (protocomm new_transport_session). */
  newSession(sessionId: number): void;
}

/** Finds the `session=` cookie among the `;`-separated cookies of every Cookie header (§9.2 rule 6: be lenient with
 * clients that send several cookies, e.g. Android's CookieManager). Returns the whole `session=<value>` text, or
 * undefined when the request carries no usable session cookie (none at all, or one longer than 19 characters). */
export function findSessionCookie(cookieHeaders: string[]): string | undefined {
  for (const header of cookieHeaders) {
    for (const part of header.split(';')) {
      const cookie = part.trim();
      if (cookie.startsWith('session=')) {
        return cookie.length > MAX_SESSION_COOKIE_CHARS ? undefined : cookie;
      }
    }
  }
  return undefined;
}

/** One instance per HTTP server. `T` identifies a connection (any object; compared by identity). */
export class HttpSessionRule<T> {
  private current: number | undefined;
  /** The connection that created the current session, until a matching cookie proves the client keeps cookies. */
  private boundTo: T | undefined;

  constructor(private readonly hooks: SessionRuleHooks) {}

  get sessionId(): number | undefined {
    return this.current;
  }

  /** Applies §9.2 rules 1-3 to one request arriving on `connection` with the given Cookie header values. */
  resolve(connection: T, cookieHeaders: string[]): SessionDecision {
    const cookie = findSessionCookie(cookieHeaders);
    // Rule 1. The `current !== undefined` guard is the reference's "session id -1" fix: with no session yet, a
    // client-chosen `session=4294967295` (the reference's no-session marker) must not count as a match.
    if (cookie !== undefined && this.current !== undefined && cookie === 'session=' + String(this.current)) {
      this.boundTo = undefined;
      return { sessionId: this.current, isNew: false };
    }
    // Rule 2: a client without cookies (or before its first cookie) on the socket that created the session.
    if (cookie === undefined && this.current !== undefined && this.boundTo !== undefined && this.boundTo === connection) {
      return { sessionId: this.current, isNew: false };
    }
    // Rule 3: anything else starts a new session and ends the old one.
    const previous = this.current;
    if (previous !== undefined) this.hooks.closeSession(previous);
    let id = this.hooks.randomId() >>> 0;
    // A repeat of the old id would let the old cookie continue the new session; draw again (probability 2^-32).
    while (id === previous) id = this.hooks.randomId() >>> 0;
    this.current = id;
    this.boundTo = connection;
    this.hooks.newSession(id);
    return { sessionId: id, isNew: true };
  }

  /** Rule 4: a closed socket only loses its binding; the cookie session survives a TCP reconnect. */
  connectionClosed(connection: T): void {
    if (this.boundTo === connection) this.boundTo = undefined;
  }

  /** Transport stopped: ends the session. */
  end(): void {
    const previous = this.current;
    this.current = undefined;
    this.boundTo = undefined;
    if (previous !== undefined) this.hooks.closeSession(previous);
  }
}
