// Fuzz of every decoder in tools/prov that reads device (or network) bytes: the Wi-Fi and or-cfg answer parsers,
// proto-ver JSON, the HTTP response parser and the security handshakes. Mutated valid answers plus random bytes.
// Invariant: each input is either accepted or refused with the client's own error types (ProvError with an app
// error code, SecurityError), never a stray TypeError/RangeError, never a hang. Budget: FUZZ_BUDGET (default 100k).
import { describe, expect, it } from 'vitest';
import { orconfig } from '../../firmware/generated/proto.js';
import { OR_ERROR, ProvError, SecurityError } from '../../tools/prov/errors';
import * as m from '../../tools/prov/messages';
import { parseProtoVersion } from '../../tools/prov/proto-ver';
import { createClientSecurity } from '../../tools/prov/security/index';
import { parseResponse } from '../../tools/prov/transport/http';
import { fuzzBudget, fuzzSeed, xorshift } from '../fixtures/fuzz';
import { loadTranscripts } from '../fixtures/vectors';

const BUDGET = fuzzBudget(100_000);
const SEED = fuzzSeed(0x636c6e74);
const t = loadTranscripts();
const bin = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const CODES = new Set<number>(Object.values(OR_ERROR));

function mutate(rand: () => number, seed: Uint8Array): Uint8Array {
  const r = rand();
  const int = (n: number) => Math.floor(rand() * n);
  if (r < 0.1) return Uint8Array.from({ length: int(64) }, () => int(256));
  const out = Array.from(seed);
  const edits = 1 + int(4);
  for (let i = 0; i < edits; i++) {
    const op = rand();
    if (op < 0.4 && out.length) out[int(out.length)] ^= 1 << int(8);
    else if (op < 0.6 && out.length) out.splice(int(out.length), 1 + int(4));
    else if (op < 0.8) out.splice(int(out.length + 1), 0, int(256));
    else if (out.length) out[int(out.length)] = [0x00, 0xff, 0x7f, 0x80][int(4)]!;
  }
  return Uint8Array.from(out);
}

/** Runs `fn` on `n` mutants of the corpus; counts accepted vs refused inputs and fails on a foreign error. */
function fuzz(name: string, corpus: Uint8Array[], n: number, fn: (input: Uint8Array) => unknown, allowed: (e: unknown) => boolean): { ok: number; refused: number } {
  const rand = xorshift(SEED ^ name.length * 7919);
  let ok = 0;
  let refused = 0;
  for (let i = 0; i < n; i++) {
    const input = mutate(rand, corpus[i % corpus.length]!);
    try {
      fn(input);
      ok++;
    } catch (error) {
      if (!allowed(error)) throw new Error(`${name}: input ${Buffer.from(input).toString('hex')} raised ${(error as Error).stack}`);
      refused++;
    }
  }
  return { ok, refused };
}

const provError = (e: unknown) => e instanceof ProvError && CODES.has(e.code);

const plainResponses = (endpoint: string) =>
  ['sec0'].flatMap((k) => (t[k] as any[]).filter((s) => s.endpoint === endpoint && s.response_plain_hex).map((s) => bin(s.response_plain_hex)));

describe('tools/prov decoders under fuzz', () => {
  const share = Math.max(200, Math.floor(BUDGET / 8));

  it('Wi-Fi answer parsers', () => {
    const scan = plainResponses('prov-scan');
    const config = plainResponses('prov-config');
    const r1 = fuzz('scan', scan, share, (b) => {
      try {
        m.parseScanStart(b);
      } catch (e) {
        if (!provError(e)) throw e;
      }
      try {
        m.parseScanStatus(b);
      } catch (e) {
        if (!provError(e)) throw e;
      }
      return m.parseScanResult(b);
    }, provError);
    const r2 = fuzz('config', config, share, (b) => {
      try {
        m.parseSetConfig(b);
        m.parseApplyConfig(b);
      } catch (e) {
        if (!provError(e)) throw e;
      }
      return m.parseGetStatus(b);
    }, provError);
    const r3 = fuzz('ctrl', [bin('08025a00'), bin('080410056a00')], share, (b) => m.parseCtrl(b, 2), provError);
    // Both outcomes must actually occur, or the mutator is not reaching the decoder.
    for (const r of [r1, r2, r3]) {
      expect(r.ok).toBeGreaterThan(0);
      expect(r.refused).toBeGreaterThan(0);
    }
  });

  it('or-cfg response parser', () => {
    const corpus = [
      orconfig.Response.encode({ id: '0', result: { result: 0 }, deviceInfo: { deviceId: 'A1B2', modelName: 'or-demo' } }).finish(),
      orconfig.Response.encode({ id: '0', result: { result: 0 }, backendConnectionStatus: { status: 2 } }).finish(),
    ];
    const r = fuzz('or-cfg', corpus, share, (b) => m.parseOrResponse(b, '0', 'deviceInfo'), provError);
    expect(r.ok).toBeGreaterThan(0);
    expect(r.refused).toBeGreaterThan(0);
  });

  it('proto-ver JSON', () => {
    const corpus = ['sec0', 'sec1', 'sec2_patch1'].map((k) => bin((t[k] as any[])[0].response_hex));
    const r = fuzz('proto-ver', corpus, share, (b) => parseProtoVersion(new TextDecoder().decode(b)), provError);
    expect(r.ok).toBeGreaterThan(0);
    expect(r.refused).toBeGreaterThan(0);
  });

  it('HTTP response parser', () => {
    const corpus = [
      Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 4\r\nSet-Cookie: session=1234\r\n\r\n\x08\x01\x5a\x00'),
      Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'),
    ].map((b) => new Uint8Array(b));
    // The parser's own refusals are plain Errors with these messages; anything else is a bug.
    const known = /^(malformed HTTP|bad Content-Length|chunked HTTP)/;
    const r = fuzz('http', corpus, share, (b) => parseResponse(Buffer.from(b)), (e) => e instanceof Error && e.constructor === Error && known.test(e.message));
    expect(r.ok).toBeGreaterThan(0);
    expect(r.refused).toBeGreaterThan(0);
  });

  it('sec1 and sec2 handshakes refuse mangled session answers with SecurityError', () => {
    const isSec = (e: unknown) => e instanceof SecurityError;
    const s1 = t.sec1 as any[];
    const sec1 = fuzz('sec1', [bin(s1[1].response_hex)], Math.min(share, Math.max(500, Math.floor(BUDGET / 50))), (b) => {
      const c = createClientSecurity({ version: 1, patchVersion: 0 }, { pop: 'abcd1234', random: () => bin(t.inputs.client_x25519_private) });
      c.step(undefined);
      c.step(b);
      c.step(bin(s1[2].response_hex));
    }, isSec);
    expect(sec1.refused).toBeGreaterThan(0);
    // BigInt 3072-bit arithmetic (tens of ms) per accepted input: a small share, scaled by FUZZ_BUDGET.
    const s2 = t.sec2_patch1 as any[];
    const sec2 = fuzz('sec2', [bin(s2[1].response_hex), bin(s2[2].response_hex)], Math.max(20, Math.floor(BUDGET / 2000)), (b) => {
      const c = createClientSecurity({ version: 2, patchVersion: 1 }, { username: 'wifiprov', pop: 'abcd1234', random: () => bin(t.inputs.srp_client_a) });
      c.step(undefined);
      c.step(b);
    }, isSec);
    expect(sec2.refused).toBeGreaterThan(0);
  });
});
