// Node-side device factory for the protocomm tests: a ProtocommCore on the simulator crypto host with pinned
// randomness (tools/sim/host/crypto.ts scriptedRandom), a virtual clock, and a log sink the tests can inspect.
import { createNodeCryptoHost, scriptedRandom } from '../../tools/sim/host/crypto';
import type { ClockHost } from '../../firmware/host/clock';
import type { LogHost, LogLevel } from '../../firmware/host/log';
import type { ProtocommCore, ProtocommOptions } from '../../firmware/protocomm/protocomm';
import { fromHex } from '../../firmware/util/bytes';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { buildReplayDevice, type ReplaySetup } from './device-setup';
import type { ReplayFactory } from './replay';

export { securityConfig } from './device-setup';

export class FakeClock implements ClockHost {
  now = 0;
  monotonicMs(): number {
    return this.now;
  }
  wallMs(): number | undefined {
    return undefined;
  }
  advance(ms: number): void {
    this.now += ms;
  }
}

export interface LogLine {
  level: LogLevel;
  tag: string;
  message: string;
}

export function memoryLog(): { host: LogHost; lines: LogLine[]; logger: Logger } {
  const lines: LogLine[] = [];
  const host: LogHost = { write: (level, tag, message) => lines.push({ level, tag, message }) };
  return { host, lines, logger: new Logger(host, 'protocomm', new SecretRegistry(), 'debug') };
}

/** Synchronous adapter: handle() and capture the (possibly deferred) reply. */
export function call(pc: ProtocommCore, endpoint: string, sessionId: number, request: Uint8Array): Uint8Array | undefined | 'pending' {
  let result: Uint8Array | undefined | 'pending' = 'pending';
  let calls = 0;
  pc.handle(endpoint, sessionId, request, (r) => {
    calls++;
    result = r;
  });
  if (calls > 1) throw new Error('reply called more than once');
  return result;
}

export function nodeDevice(setup: ReplaySetup, extra: Partial<ProtocommOptions> = {}) {
  const random = scriptedRandom(setup.randomHex.map((h) => fromHex(h) as Uint8Array));
  const crypto = createNodeCryptoHost(random);
  const clock = new FakeClock();
  const log = memoryLog();
  const { pc, scripted } = buildReplayDevice(setup, { crypto, clock, log: log.logger, ...extra });
  return { pc, crypto, random, clock, log, scripted };
}

export const nodeFactory: ReplayFactory = async (setup) => {
  const { pc, random, scripted } = nodeDevice(setup);
  return {
    newTransportSession: (id) => pc.newTransportSession(id),
    handle: (endpoint, id, request) =>
      new Promise((resolve) => {
        pc.handle(endpoint, id, request, resolve);
      }),
    handlerErrors: () => scripted.errors,
    unusedRandom: () => random.remaining(),
  };
};
