// Fuzzing the SoftAP/HTTP transport (§9.2; style: every protocol decoder is fuzzed). Two levels:
// 1. the request-head parser alone: random and mutated heads must never throw, must stay within the limits, and
//    must give the same outcome however the bytes are split (incremental parsing is split-invariant);
// 2. the whole server on the in-memory socket host: random byte streams, random splits, peer closes, handler
//    errors and deferred replies; it must never throw or hang, every byte it writes is well-formed HTTP, protocomm
//    never sees two requests at once, and when everything is closed no connection or timer is left behind.
import { describe, expect, it } from 'vitest';
import { RequestHeadParser, type HeadOutcome } from '../../firmware/transport/http-request';
import { FUZZ_BUDGET, FUZZ_SEED, Rng, mutate, randomSplit } from './fuzz-util';
import { memoryHarness, parseResponses, postRequest } from './harness';
import type { MemoryClient } from './memory-socket-host';

const TOKENS = [
  '\r\n',
  '\n',
  '\r',
  '\r\n\r\n',
  ': ',
  ' ',
  'POST ',
  'GET ',
  '/prov-session',
  '/proto-ver?',
  ' HTTP/1.1',
  ' HTTP/1.0',
  'Content-Length: ',
  'Content-Length: 4096',
  'Content-Length: 0',
  'Content-Length: 99999999999999999999',
  'Transfer-Encoding: chunked',
  'Cookie: session=',
  'Cookie: session=4294967295',
  'Cookie: session=-1',
  '; session=1',
  'Connection: close',
  '\x00',
  '\x7f',
  '\xff',
  '\t',
  'a'.repeat(1100),
];

function seeds(): Uint8Array[] {
  return [
    postRequest('prov-session', 'abc'),
    postRequest('proto-ver', Buffer.alloc(20, 1), 'session=1'),
    Buffer.from('POST /prov-config HTTP/1.1\nContent-Length: 2\n\nok'),
    Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    Buffer.concat([postRequest('prov-scan', 'a'), postRequest('prov-scan', 'b')]),
  ];
}

function outcomeKey(o: HeadOutcome | undefined, consumed: number): string {
  if (!o) return `incomplete@${consumed}`;
  if ('error' in o) return `error ${o.error}@${consumed}`;
  return `head ${JSON.stringify(o.head)}@${consumed}`;
}

function parseWhole(input: Uint8Array): string {
  const p = new RequestHeadParser();
  const { consumed, outcome } = p.feed(input);
  return outcomeKey(outcome, consumed);
}

function parseSplit(pieces: Uint8Array[]): string {
  const p = new RequestHeadParser();
  let total = 0;
  for (const piece of pieces) {
    const { consumed, outcome } = p.feed(piece);
    total += consumed;
    if (outcome) return outcomeKey(outcome, total);
    if (consumed !== piece.length) throw new Error('parser stopped early without an outcome');
  }
  return outcomeKey(undefined, total);
}

describe('HTTP request-head parser fuzz', () => {
  it(`is split-invariant and never throws (${Math.floor(FUZZ_BUDGET * 0.6)} inputs)`, () => {
    const rng = new Rng(FUZZ_SEED);
    const base = seeds();
    const n = Math.floor(FUZZ_BUDGET * 0.6);
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const input = rng.chance(0.15) ? rng.bytes(rng.int(300)) : mutate(rng, rng.pick(base), TOKENS);
      const whole = parseWhole(input);
      const split = parseSplit(randomSplit(rng, input));
      if (whole !== split) throw new Error(`split changed the outcome (seed ${FUZZ_SEED}, input ${i}): ${whole} vs ${split}`);
      const kind = whole.split(/[ @]/)[0] + (whole.startsWith('error') ? whole.split(' ')[1].slice(0, 3) : '');
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
    }
    // The corpus reaches complete heads, incomplete heads and every error class (the fuzzer is not just noise).
    for (const k of ['head', 'incomplete', 'error400', 'error431', 'error505', 'error414']) {
      expect(seen.get(k) ?? 0, `${k} never reached: ${JSON.stringify([...seen])}`).toBeGreaterThan(0);
    }
  });
});

describe('HTTP server fuzz (in-memory sockets)', () => {
  it(`never throws, hangs or leaks, and always writes well-formed HTTP (${Math.floor(FUZZ_BUDGET * 0.25)} inputs)`, () => {
    const rng = new Rng(FUZZ_SEED ^ 0xa5a5a5a5);
    const base = seeds();
    const n = Math.floor(FUZZ_BUDGET * 0.25);
    let inputs = 0;
    let ok200 = 0;
    let errors4xx = 0;
    while (inputs < n) {
      // One server per scenario of up to 20 inputs over a few connections.
      const h = memoryHarness({ maxOpenSockets: 1 + rng.int(2), requestTimeoutMs: 10_000, idleTimeoutMs: rng.chance(0.5) ? 0 : 5_000 });
      h.protocomm.defaultMode = rng.pick(['echo', 'echo', 'error', 'defer', 'throw'] as const);
      const clients: MemoryClient[] = [];
      const steps = 1 + rng.int(20);
      for (let s = 0; s < steps; s++, inputs++) {
        const action = rng.int(10);
        if (action === 0 || clients.length === 0) clients.push(h.host.open());
        const c = rng.pick(clients);
        if (action === 1) c.close();
        else if (action === 2) c.reset();
        else if (action === 3) h.clock.advance(rng.int(12_000));
        else if (action === 4 && h.protocomm.deferred.length) {
          h.protocomm.release(rng.chance(0.8) ? rng.bytes(rng.int(50)) : undefined);
        } else if (c.open) {
          const input = rng.chance(0.1) ? rng.bytes(rng.int(200)) : rng.chance(0.4) ? rng.pick(base) : mutate(rng, rng.pick(base), TOKENS);
          for (const piece of randomSplit(rng, input)) if (c.open) c.send(piece);
        }
        if (h.protocomm.inFlight > 1) throw new Error(`two requests in flight (seed ${FUZZ_SEED})`);
      }
      // Drain: answer what is pending, let every timer fire, then close all clients.
      while (h.protocomm.deferred.length) h.protocomm.release(new Uint8Array([1]));
      h.clock.advance(20_000);
      for (const c of clients) {
        const { responses, rest } = parseResponses(c.bytes); // throws on malformed output
        for (const r of responses) {
          if (r.status === 200) ok200++;
          else errors4xx++;
          expect([200, 400, 404, 405, 408, 414, 431, 505]).toContain(r.status);
        }
        expect(rest.length).toBe(0);
        c.close();
      }
      expect(h.protocomm.maxInFlight).toBeLessThanOrEqual(1);
      expect(h.server.openConnections).toBe(0);
      h.server.stop();
      expect(h.clock.pending).toBe(0);
    }
    expect(ok200).toBeGreaterThan(0);
    expect(errors4xx).toBeGreaterThan(0);
  });
});
