// Fuzzing the console transport's line discipline and line parser (§9.3, field-notes.md §3.2 "Console line
// bounds"): random bytes, mutated request lines, random splits, handler errors and deferred replies. It must never
// throw, never hand protocomm more than a 255-character line can carry, never run two requests at once, and
// always come back to the prompt. parseConsoleLine must agree with an independent reference parser.
import { describe, expect, it } from 'vitest';
import { MemoryUart } from '../../tools/sim/host/uart';
import { CaptureLog } from '../../tools/sim/host/log';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { MAX_LINE_CHARS, PROMPT, ProtocommConsole, parseConsoleLine } from '../../firmware/transport/console';
import { FakeProtocomm } from '../transport-http/fake-protocomm';
import { FUZZ_BUDGET, FUZZ_SEED, Rng, mutate, randomSplit } from '../transport-http/fuzz-util';

const TOKENS = ['\r', '\n', '\r\n', ' ', '\t', '  ', 'prov-session', 'proto-ver', '0', '4294967295', '4294967296', '-1', 'ab', 'zz', 'a', 'help', '\x00', '\xff', 'f'.repeat(300)];
const SEEDS = ['prov-session 0 0a0b\r', 'proto-ver 12 00\r\n', 'help\n', 'prov-config 3 ' + 'ab'.repeat(100) + '\r', 'x 1 2\r'];

/** Written from §9.3 independently of the firmware: three whitespace-separated fields, a decimal u32, hex pairs. */
function referenceParse(line: string): string {
  const f = line.split(/[ \t]+/).filter(Boolean);
  if (f.length === 0) return 'empty';
  if (f.length === 1 && f[0] === 'help') return 'help';
  if (f.length !== 3) return 'error';
  if (!/^\d+$/.test(f[1]) || f[1].length > 10 || BigInt(f[1]) > 0xffffffffn) return 'error';
  if (!/^([0-9a-fA-F]{2})+$/.test(f[2])) return 'error';
  return `request ${f[0]} ${Number(f[1])} ${f[2].toLowerCase()}`;
}

function firmwareParse(line: string): string {
  const p = parseConsoleLine(line);
  if (p.kind === 'request') return `request ${p.endpoint} ${p.sessionId} ${Buffer.from(p.payload).toString('hex')}`;
  return p.kind;
}

describe('console fuzz', () => {
  it(`parseConsoleLine agrees with a reference parser (${Math.floor(FUZZ_BUDGET * 0.1)} lines)`, () => {
    const rng = new Rng(FUZZ_SEED ^ 0x1234);
    for (let i = 0; i < FUZZ_BUDGET * 0.1; i++) {
      const line = Buffer.from(mutate(rng, Buffer.from(rng.pick(SEEDS).replace(/[\r\n]/g, ''), 'latin1'), TOKENS)).toString('latin1');
      if (line.includes('\r') || line.includes('\n')) continue;
      const a = firmwareParse(line);
      const b = referenceParse(line);
      if (a !== b) throw new Error(`parsers disagree on ${JSON.stringify(line)}: ${a} vs ${b}`);
    }
  });

  it(`line discipline never throws, overflows or stalls (${Math.floor(FUZZ_BUDGET * 0.05)} inputs)`, () => {
    const rng = new Rng(FUZZ_SEED ^ 0x77777);
    const n = Math.floor(FUZZ_BUDGET * 0.05);
    let inputs = 0;
    let answered = 0;
    while (inputs < n) {
      const uart = new MemoryUart();
      const fake = new FakeProtocomm();
      fake.defaultMode = rng.pick(['echo', 'echo', 'error', 'defer', 'throw'] as const);
      const console_ = new ProtocommConsole({ uart, protocomm: fake, logger: new Logger(new CaptureLog(), 't', new SecretRegistry()) });
      console_.start();
      const steps = 1 + rng.int(30);
      for (let s = 0; s < steps; s++, inputs++) {
        if (fake.deferred.length && rng.chance(0.3)) {
          fake.release(rng.chance(0.8) ? rng.bytes(rng.int(40)) : undefined);
          continue;
        }
        const input = rng.chance(0.2) ? rng.bytes(rng.int(600)) : mutate(rng, Buffer.from(rng.pick(SEEDS), 'latin1'), TOKENS);
        for (const piece of randomSplit(rng, input)) uart.type(piece);
        if (fake.inFlight > 1) throw new Error(`two requests in flight (seed ${FUZZ_SEED})`);
      }
      while (fake.deferred.length) fake.release(new Uint8Array([1]));
      uart.type('\r'); // may complete a partial request line: answer that too
      while (fake.deferred.length) fake.release(new Uint8Array([1]));
      // Back at the prompt, whatever came before.
      if (!uart.receivedText().endsWith(PROMPT)) throw new Error(`not at the prompt: ${JSON.stringify(uart.receivedText().slice(-300))}`);
      for (const call of fake.calls) {
        // "<ep> <id> <hex>" in 255 characters: at most (255 - 1 - 1 - 1 - 1) / 2 payload bytes.
        if (call.request.length > (MAX_LINE_CHARS - 4) / 2) throw new Error('payload longer than a line can carry');
        if (call.endpoint.length === 0 || /[ \t\r\n]/.test(call.endpoint)) throw new Error('bad endpoint token');
      }
      answered += fake.calls.length;
      console_.stop();
    }
    expect(answered).toBeGreaterThan(0);
  });
});
