// Protocomm stand-ins for transport tests: an echo protocomm with scripted failures and deferred replies, and a
// replay protocomm that answers the pinned transcripts (../shared/vectors) byte for byte.
import { createHash } from 'node:crypto';
import type { Protocomm, Reply } from '../../../firmware/protocomm/types';
import type { TranscriptStep } from '../../fixtures/vectors';

const text = (d: Uint8Array) => Buffer.from(d).toString('latin1');

/** Echo: the response is `<endpoint>|<request>`. Request "FAIL" → no response; "DEFER..." → the reply waits for
 * release(); "BIG:<n>" → an n-byte response of a counting pattern; "SUM..." → `<endpoint>|<length>|<sha256 hex>`.
 * Records session calls. */
export class EchoProtocomm implements Protocomm {
  readonly calls: { endpoint: string; session: number; length: number }[] = [];
  readonly sessions: string[] = [];
  deferred: Reply | undefined;

  handle(endpoint: string, sessionId: number, request: Uint8Array, reply: Reply): void {
    this.calls.push({ endpoint, session: sessionId, length: request.length });
    const t = text(request);
    if (t === 'FAIL') return reply(undefined);
    if (t.startsWith('DEFER')) {
      this.deferred = reply;
      return;
    }
    if (t.startsWith('BIG:')) return reply(Uint8Array.from({ length: Number(t.slice(4)) }, (_, i) => i & 0xff));
    if (t.startsWith('SUM')) return reply(new Uint8Array(Buffer.from(`${endpoint}|${request.length}|${createHash('sha256').update(request).digest('hex')}`)));
    reply(new Uint8Array(Buffer.concat([Buffer.from(endpoint + '|'), request])));
  }

  /** Answers the deferred request (echo of `response`, or undefined = handler error). */
  release(response: Uint8Array | undefined): void {
    const r = this.deferred;
    this.deferred = undefined;
    r?.(response);
  }

  newTransportSession(sessionId: number): void {
    this.sessions.push(`new:${sessionId}`);
  }
  closeTransportSession(sessionId: number): void {
    this.sessions.push(`close:${sessionId}`);
  }
}

export type { TranscriptStep };

/** Answers each transcript step in order when endpoint and request match exactly; anything else gets no response
 * (and is recorded), so a client whose bytes differ from the reference fails visibly. */
export class ReplayProtocomm implements Protocomm {
  private index = 0;
  readonly mismatches: string[] = [];

  constructor(private readonly steps: TranscriptStep[]) {}

  handle(endpoint: string, _sessionId: number, request: Uint8Array, reply: Reply): void {
    const step = this.steps[this.index];
    const got = Buffer.from(request).toString('hex');
    if (!step || step.endpoint !== endpoint || step.request_hex !== got) {
      this.mismatches.push(`step ${this.index}: ${endpoint} ${got.slice(0, 64)}`);
      return reply(undefined);
    }
    this.index++;
    reply(new Uint8Array(Buffer.from(step.response_hex, 'hex')));
  }

  done(): boolean {
    return this.index === this.steps.length;
  }
  newTransportSession(): void {}
  closeTransportSession(): void {}
}
