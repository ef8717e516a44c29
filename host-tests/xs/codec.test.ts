// Unit tests and fuzzing of the XS provider's wire codec (firmware/host/xsnap/codec.ts), run on Node; the same code
// runs in the worker (exercised end to end by bridge.test.ts).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CryptoHostError } from '../../firmware/host/crypto';
import { NvsError } from '../../firmware/host/nvs';
import { SocketError } from '../../firmware/host/socket';
import { WifiHostError } from '../../firmware/host/wifi';
import { decodeValue, encodeValue } from '../../firmware/host/xsnap/codec';
import { fuzzBudget } from '../fixtures/fuzz';

const roundTrip = (v: unknown) => decodeValue(encodeValue(v));
const budget = fuzzBudget(20_000);

describe('xsnap codec', () => {
  test('bytes are byte-exact, Buffers arrive as plain Uint8Array copies', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const out = roundTrip({ a: all, b: [Buffer.from([1, 2]), all.subarray(250)], c: new Uint8Array(0) }) as Record<string, any>;
    expect(out.a).toEqual(all);
    expect(out.b[0]).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(out.b[0])).toBe(false);
    expect(out.b).toEqual([new Uint8Array([1, 2]), all.subarray(250)]);
    expect(out.c).toEqual(new Uint8Array(0));
    // The receiver owns its bytes: decoding copies out of the frame.
    const frame = encodeValue(all);
    const decoded = decodeValue(frame) as Uint8Array;
    frame.fill(0);
    expect(decoded[255]).toBe(255);
  });

  test('undefined, non-finite numbers and non-ASCII strings survive', () => {
    expect(roundTrip([undefined, 1, undefined])).toEqual([undefined, 1, undefined]);
    expect(roundTrip(undefined)).toBeUndefined();
    expect(roundTrip({ a: undefined, b: 2 })).toEqual({ b: 2 });
    expect(roundTrip([NaN, Infinity, -Infinity, -0.5, -0])).toEqual([NaN, Infinity, -Infinity, -0.5, -0]);
    expect(roundTrip('Wi-Fi ✓ 🙂 \u0000')).toBe('Wi-Fi ✓ 🙂 \u0000');
  });

  test.each([
    [new CryptoHostError('INVALID_ARGUMENT', 'm1'), CryptoHostError],
    [new NvsError('POWER_LOSS', 'm2'), NvsError],
    [new SocketError('TLS_UNKNOWN_CA', 'm3'), SocketError],
    [new WifiHostError('BUSY', 'm4'), WifiHostError],
  ])('%s keeps class and code', (error, Class) => {
    const out = roundTrip({ x: error }) as { x: Error & { code: string } };
    expect(out.x).toBeInstanceOf(Class);
    expect(out.x.code).toBe((error as Error & { code: string }).code);
    expect(out.x.message).toBe(error.message);
  });

  test('standard errors keep their class; other names and codes are kept', () => {
    expect(roundTrip(new RangeError('r'))).toBeInstanceOf(RangeError);
    expect(roundTrip(new TypeError('t'))).toBeInstanceOf(TypeError);
    const custom = Object.assign(new Error('c'), { name: 'XsFoo', code: 'E1' });
    expect(roundTrip(custom)).toMatchObject({ name: 'XsFoo', code: 'E1', message: 'c' });
  });

  test('values it cannot carry are refused when encoding', () => {
    expect(() => encodeValue({ a: 1n })).toThrow(TypeError);
    expect(() => encodeValue({ f: () => 1 })).toThrow(TypeError);
    expect(() => encodeValue({ nested: { $b: [0, 1] } })).toThrow(/reserved/);
  });

  test.each([
    [new Uint8Array([0, 0]), /shorter than its header/],
    [new Uint8Array([0, 0, 0, 9, 0x7b]), /past the end/],
    [(() => { const j = new TextEncoder().encode('{"v":{"$b":[0,5]}}'); return new Uint8Array([0, 0, 0, j.length, ...j, 1, 2]); })(), /outside the blob region/],
    [(() => { const j = new TextEncoder().encode('{"v":'); return new Uint8Array([0, 0, 0, j.length, ...j]); })(), SyntaxError],
  ])('malformed frame %# is a SyntaxError', (frame, error) => {
    expect(() => decodeValue(frame)).toThrow(error as never);
  });

  test('property: any JSON-like value with bytes round-trips', () => {
    const leaf = fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.uint8Array({ maxLength: 40 }));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string().filter((k) => !k.startsWith('$') && k !== '__proto__'), tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        // An undefined object member arrives as a missing member, which toEqual treats alike.
        expect(roundTrip(v)).toEqual(v);
      }),
      { numRuns: Math.min(budget, 5000) },
    );
  });

  test('fuzz: decodeValue never crashes on arbitrary or mutated frames', () => {
    const valid = encodeValue({ op: 'crypto.sha256', a: [new Uint8Array([1, 2, 3]), undefined, new NvsError('CLOSED', 'x')] });
    const mutated = fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(valid.length)).map(([i, b, cut]) => {
      const f = valid.slice(0, Math.max(cut, i + 1));
      f[i] = b;
      return f;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated), (frame) => {
        try {
          decodeValue(frame);
        } catch (error) {
          expect(error).toBeInstanceOf(SyntaxError);
        }
      }),
      { numRuns: budget },
    );
  });
});
