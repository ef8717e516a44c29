// Fuzz for the three provisioning decoders/handlers (prov-config, prov-scan, prov-ctrl) with a live manager on the
// simulated world: mutated valid requests and random bytes, interleaved with virtual time so connection attempts,
// scans and failures happen mid-stream. Invariants: nothing throws, every request gets exactly one reply (only a
// blocking scan answers late, and at the latest when its scan ends or provisioning stops), every response decodes with msg = request msg + 1, scan entries are sorted,
// capped and auth-clamped, and the passphrases never reach a log line. Budget: FUZZ_BUDGET (default 100k).
import { describe, expect, it } from 'vitest';
import { WiFiConfigPayload, WiFiCtrlPayload, WiFiScanPayload } from '../../firmware/generated/proto.js';
import { toHex } from '../../firmware/util/bytes';
import { fuzzRun, xorshift } from '../fixtures/fuzz';
import { h, makeRig, type Answer } from './helpers';

const { budget: BUDGET, seed: SEED, label } = fuzzRun({ budget: 100_000, seed: 0x70726f76 });

const CORPUS: Record<string, string[]> = {
  'prov-config': [
    '5200',
    '0800',
    '080262150a07486f6d654e6574120a73656372657470617373', // HomeNet/secretpass
    '080262140a07486f6d654e6574120977726f6e6770617373', // HomeNet/wrongpass
    '0802620a0a08436166654f70656e', // CafeOpen, no passphrase
    '0804',
    '08047200',
  ],
  'prov-scan': ['520408012078', '52020801', '0802', '080472021003', '0804720408001004', '52080801100118052064'],
  'prov-ctrl': ['0801', '08015a00', '0803', '08036a00'],
};

function decodeResponse(endpoint: string, bytes: Uint8Array): { msg: number; check(): void } {
  switch (endpoint) {
    case 'prov-config': {
      const p = WiFiConfigPayload.decode(bytes);
      return { msg: p.msg ?? 0, check: () => expect(p.payload).toMatch(/^resp/) };
    }
    case 'prov-scan': {
      const p = WiFiScanPayload.decode(bytes);
      return {
        msg: p.msg ?? 0,
        check: () => {
          expect(p.payload).toMatch(/^resp/);
          const entries = p.respScanResult?.entries ?? [];
          expect(entries.length).toBeLessThanOrEqual(16);
          for (let i = 0; i < entries.length; i++) {
            expect(entries[i].auth ?? 0).toBeGreaterThanOrEqual(0);
            expect(entries[i].auth ?? 0).toBeLessThanOrEqual(7);
            if (i) expect(entries[i - 1].rssi ?? 0).toBeGreaterThanOrEqual(entries[i].rssi ?? 0);
          }
        },
      };
    }
    default: {
      const p = WiFiCtrlPayload.decode(bytes);
      return { msg: p.msg ?? 0, check: () => expect(p.payload).toMatch(/^resp/) };
    }
  }
}

function requestMsg(endpoint: string, bytes: Uint8Array): number | undefined {
  try {
    if (endpoint === 'prov-config') return WiFiConfigPayload.decode(bytes).msg ?? 0;
    if (endpoint === 'prov-scan') return WiFiScanPayload.decode(bytes).msg ?? 0;
    return WiFiCtrlPayload.decode(bytes).msg ?? 0;
  } catch {
    return undefined;
  }
}

function mutate(input: Uint8Array, rnd: () => number): Uint8Array {
  let b = Array.from(input);
  const steps = Math.floor(rnd() * 4);
  for (let s = 0; s < steps; s++) {
    const pos = Math.floor(rnd() * (b.length + 1));
    switch (Math.floor(rnd() * 6)) {
      case 0:
        if (b.length) b[pos % b.length] ^= 1 << Math.floor(rnd() * 8);
        break;
      case 1:
        if (b.length) b[pos % b.length] = [0x00, 0x7f, 0x80, 0xff, 0x08, 0x52, 0x62][Math.floor(rnd() * 7)];
        break;
      case 2:
        b = b.slice(0, pos);
        break;
      case 3:
        b.splice(pos, 1 + Math.floor(rnd() * 3));
        break;
      case 4:
        b.splice(pos, 0, ...Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => Math.floor(rnd() * 256)));
        break;
      default:
        b = Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256));
    }
  }
  return Uint8Array.from(b);
}

describe('provisioning handlers fuzz', () => {
  it(label, () => {
    const rnd = xorshift(SEED);
    let rig = makeRig({ manager: { wifiConnAttempts: 2 } });
    const endpoints = Object.keys(CORPUS);
    let pending: { answer: Answer; endpoint: string; msg: number | undefined; at: number }[] = [];
    let responses = 0;
    for (let n = 0; n < BUDGET; n++) {
      if (!rig.manager.running) {
        // Stopping answered every waiting scan (InternalError): nothing may stay pending across rigs.
        for (const p of pending) expect(p.answer.done).toBe(true);
        rig.capture.assertNoSecret('secretpass', 'wrongpass');
        rig = makeRig({ manager: { wifiConnAttempts: 2, autoStop: rnd() < 0.5 } });
      }
      const endpoint = endpoints[Math.floor(rnd() * endpoints.length)];
      const seeds = CORPUS[endpoint];
      const request = mutate(h(seeds[Math.floor(rnd() * seeds.length)]), rnd);
      const msg = requestMsg(endpoint, request);
      const answer = rig.send(endpoint, request);
      pending.push({ answer, endpoint, msg, at: rig.clock.monotonicMs() });
      if (rnd() < 0.05) rig.clock.advance(Math.floor(rnd() * 3000));
      const check = (p: (typeof pending)[number]): void => {
        if (!p.answer.response) return;
        responses++;
        const r = decodeResponse(p.endpoint, p.answer.response);
        expect(p.msg).toBeDefined();
        expect(r.msg).toBe((p.msg ?? 0) + 1);
        r.check();
      };
      const still: typeof pending = [];
      for (const p of pending) {
        if (p.answer.done) check(p);
        else {
          expect(p.endpoint, toHex(request)).toBe('prov-scan'); // only a blocking scan answers late
          still.push(p);
        }
      }
      pending = still;
      if (pending.length > 64 || n === BUDGET - 1) {
        // A mutated period_ms can be up to 2^32-1 ms per channel: let the longest possible scan finish.
        rig.clock.advance(14 * 0xffffffff + 13 * 120 + 1000);
        for (const p of pending) {
          expect(p.answer.done).toBe(true);
          check(p);
        }
        pending = [];
      }
    }
    expect(responses).toBeGreaterThan(BUDGET / 20);
    rig.capture.assertNoSecret('secretpass', 'wrongpass');
  }, 300_000);
});
