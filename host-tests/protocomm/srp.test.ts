// SRP-6a math (unified-provisioning.md §5.2-§5.3) against intermediates.json, and the factory verifier tool
// (tools/srp/gen-verifier.ts) against the ESP-IDF example salt/verifier for wifiprov/abcd1234.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createNodeCryptoHost } from '../../tools/sim/host/crypto';
import * as srp from '../../firmware/protocomm/security/srp';
import { cArray, generateVerifier } from '../../tools/srp/gen-verifier';
import { fromHex, toHex } from '../../firmware/util/bytes';
import { loadIntermediates, loadVectors } from './replay';

const crypto = createNodeCryptoHost();
const inputs = loadVectors().inputs;
const im = loadIntermediates().sec2 as Record<string, string>;
const h = (s: string) => fromHex(s) as Uint8Array;
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('SRP intermediates (§12.4)', () => {
  const salt = h(inputs.srp_salt);
  const v = h(inputs.srp_verifier);
  const b = h(inputs.srp_device_b);
  const A = h(im.A);

  it('k, x and v', () => {
    expect(toHex(srp.computeK(crypto))).toBe(im.k);
    expect(toHex(srp.computeX(crypto, salt, utf8('wifiprov'), utf8('abcd1234')))).toBe(im.x);
    expect(toHex(srp.computeVerifier(crypto, salt, utf8('wifiprov'), utf8('abcd1234')))).toBe(inputs.srp_verifier);
  });
  it('B, u, S, K, M1, M2', () => {
    const B = srp.computeB(crypto, srp.computeKv(crypto, v), b);
    expect(toHex(B)).toBe(im.B);
    const u = srp.computeU(crypto, A, B);
    expect(toHex(u)).toBe(im.u);
    const S = srp.computeS(crypto, A, v, u, b);
    expect(toHex(S)).toBe(im.S);
    const K = srp.computeSessionKey(crypto, S);
    expect(toHex(K)).toBe(im.K);
    expect(toHex(K.subarray(0, 32))).toBe(im.aes_gcm_key);
    const M1 = srp.computeM1(crypto, utf8('wifiprov'), salt, A, B, K);
    expect(toHex(M1)).toBe(im.M1_client_proof);
    expect(toHex(srp.computeM2(crypto, A, M1, K))).toBe(im.M2_device_proof);
  });
  it('N is the RFC 5054 3072-bit prime', () => {
    const N = srp.srpN();
    expect(N.length).toBe(384);
    expect(toHex(N.subarray(0, 12))).toBe('ffffffffffffffffc90fdaa2');
    expect(toHex(N.subarray(372))).toBe('a93ad2caffffffffffffffff');
  });
  it('encodings: minimal, pad, A ≡ 0 mod N', () => {
    expect(toHex(srp.bigIntToBytes(0n))).toBe('');
    expect(toHex(srp.bigIntToBytes(0x1234n))).toBe('1234');
    expect(toHex(srp.minimal(Uint8Array.of(0, 0, 5)))).toBe('05');
    expect(srp.pad(Uint8Array.of(5)).length).toBe(384);
    expect(srp.pad(Uint8Array.of(5))[383]).toBe(5);
    const N = srp.srpN();
    expect(srp.isZeroModN(new Uint8Array(384))).toBe(true);
    expect(srp.isZeroModN(N)).toBe(true);
    expect(srp.isZeroModN(A)).toBe(false);
  });
});

describe('gen-verifier tool (§5.2, §5.8)', () => {
  it('reproduces the ESP-IDF example verifier', () => {
    const r = generateVerifier(crypto, 'wifiprov', 'abcd1234', h(inputs.srp_salt));
    expect(toHex(r.verifier)).toBe(inputs.srp_verifier);
    expect(r.espProvMismatch).toBe(false);
  });
  it('random salts are 16 bytes with a non-zero first byte', () => {
    let calls = 0;
    const zeroFirst = createNodeCryptoHost((n) => {
      calls++;
      const out = new Uint8Array(n).fill(7);
      if (calls === 1) out[0] = 0; // the first draw starts with 0 and must be rejected
      return out;
    });
    const salt = srp.generateSalt(zeroFirst);
    expect(calls).toBe(2);
    expect(salt.length).toBe(16);
    expect(salt[0]).not.toBe(0);
  });
  it('prints C arrays', () => {
    expect(cArray('s', Uint8Array.of(1, 0xab))).toBe('static const char s[] = {\n    0x01, 0xab,\n};');
  });
  it('runs from the command line', () => {
    const out = execFileSync(
      'npx',
      ['tsx', 'tools/srp/gen-verifier.ts', '--username', 'wifiprov', '--password', 'abcd1234', '--salt', inputs.srp_salt],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out).toContain(`salt (16 bytes): ${inputs.srp_salt}`);
    expect(out).toContain(`verifier (384 bytes): ${inputs.srp_verifier}`);
    expect(out).toContain('static const char sec2_verifier[] = {');
  }, 30_000);
});
