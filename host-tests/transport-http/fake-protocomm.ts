// A scriptable Protocomm for transport tests: records every call and answers per endpoint with an echo, an error
// (no response), or a deferred reply the test releases later (like a blocking Wi-Fi scan). It checks the contract
// the transports must keep: never two requests in flight at once.
import type { Protocomm, Reply } from '../../firmware/protocomm/types';

export type FakeMode = 'echo' | 'error' | 'defer' | 'throw';

export interface HandledCall {
  endpoint: string;
  sessionId: number;
  request: Uint8Array;
}

export class FakeProtocomm implements Protocomm {
  readonly calls: HandledCall[] = [];
  readonly events: string[] = [];
  readonly deferred: { call: HandledCall; reply: Reply }[] = [];
  modes = new Map<string, FakeMode>();
  defaultMode: FakeMode = 'echo';
  inFlight = 0;
  maxInFlight = 0;

  handle(endpoint: string, sessionId: number, request: Uint8Array, reply: Reply): void {
    const call = { endpoint, sessionId, request: new Uint8Array(request) };
    this.calls.push(call);
    this.events.push(`handle ${endpoint} ${sessionId}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const done: Reply = (response) => {
      this.inFlight--;
      reply(response);
    };
    switch (this.modes.get(endpoint) ?? this.defaultMode) {
      case 'echo':
        // Answer = "echo:" + request, so the test sees which request a response belongs to.
        done(new Uint8Array(Buffer.concat([Buffer.from('echo:'), request])));
        return;
      case 'error':
        done(undefined);
        return;
      case 'defer':
        this.deferred.push({ call, reply: done });
        return;
      case 'throw':
        this.inFlight--;
        throw new Error('handler blew up');
    }
  }

  newTransportSession(sessionId: number): void {
    this.events.push(`new ${sessionId}`);
  }

  closeTransportSession(sessionId: number): void {
    this.events.push(`close ${sessionId}`);
  }

  /** Releases the oldest deferred request with the given answer (undefined = handler error). */
  release(response: Uint8Array | undefined): void {
    const next = this.deferred.shift();
    if (!next) throw new Error('no deferred request');
    next.reply(response);
  }
}
