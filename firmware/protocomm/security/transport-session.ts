// Transport-session bookkeeping shared by security 1 and 2 (unified-provisioning.md §1.1; the new/close transport
// session and cleanup operations of a scheme, style.md). One session at a time: a new one wipes the old one's
// secrets; cleanup() wipes and refuses every later session. The handshakes stay in sec1.ts / sec2.ts.
import type { Logger } from '../../util/log';

export abstract class TransportSessionScheme {
  private sessionId: number | undefined;
  private closed = false;

  newTransportSession(sessionId: number): void {
    this.wipeSession();
    this.sessionId = this.closed ? undefined : sessionId;
  }

  closeTransportSession(sessionId: number): void {
    if (sessionId !== this.sessionId) return;
    this.wipeSession();
    this.sessionId = undefined;
  }

  /** Provisioning stopped: wipes everything and refuses all later use (no silent reuse of wiped secrets). */
  cleanup(): void {
    this.closed = true;
    this.wipeSession();
    this.sessionId = undefined;
  }

  /** Forgets the per-session secrets and handshake state (on every new, close and cleanup). */
  protected abstract wipeSession(): void;

  /** True for the open session's id only. */
  protected isCurrentSession(sessionId: number): boolean {
    return this.sessionId !== undefined && sessionId === this.sessionId;
  }

  /** isCurrentSession, logging the refusal of a prov-session message sent on another session. */
  protected acceptsSession(sessionId: number, log: Logger | undefined): boolean {
    if (this.isCurrentSession(sessionId)) return true;
    log?.warn(`session id ${sessionId} is not the current transport session`);
    return false;
  }
}
