// The TextDecoder stand-in bundled into the Moddable build's protobufjs runtime (tools/native/moddable/
// text-decoder.ts, see tools/native/prepare-moddable.mjs for why). It must decode exactly like the WHATWG decoder
// protobufjs gets on Node and xsnap, so it is compared with Node's TextDecoder on edge cases and fuzzed inputs,
// in both the replacing and the fatal mode.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextDecoder as Stand } from '../../tools/native/moddable/text-decoder';

const budget = Number(process.env.FUZZ_BUDGET ?? 20000);

function both(bytes: Uint8Array, fatal: boolean, ignoreBOM = true): [unknown, unknown] {
  const run = (d: { decode(b: Uint8Array): string }) => {
    try {
      return d.decode(bytes);
    } catch (e) {
      return e instanceof TypeError ? 'TypeError' : e;
    }
  };
  return [run(new Stand('utf-8', { fatal, ignoreBOM })), run(new globalThis.TextDecoder('utf-8', { fatal, ignoreBOM }))];
}

const edge: number[][] = [
  [], [0x41], [0xc2, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xf4, 0x8f, 0xbf, 0xbf],
  [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xe0, 0x9f, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0x9f, 0xbf],
  [0xf0, 0x80, 0x80, 0x80], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80], [0xff], [0x80],
  [0xe2, 0x82], [0xe2, 0x82, 0x41], [0xf0, 0x9f, 0x98], [0xf0, 0x9f, 0x41, 0x42], [0xc2], [0xc2, 0xc2, 0xa9],
  [0xef, 0xbb, 0xbf, 0x41], [0xef, 0xbb, 0xbf], [0xef, 0xbb],
];

describe('TextDecoder stand-in for the Moddable bundle (WHATWG UTF-8)', () => {
  it('matches Node on edge cases (overlongs, surrogates, > U+10FFFF, truncation, BOM), replacing and fatal', () => {
    for (const e of edge) {
      for (const fatal of [false, true]) {
        for (const ignoreBOM of [true, false]) {
          const [ours, node] = both(Uint8Array.from(e), fatal, ignoreBOM);
          expect(ours, `${e.map((b) => b.toString(16)).join(' ')} fatal=${fatal} ignoreBOM=${ignoreBOM}`).toEqual(node);
        }
      }
    }
  });

  it('matches Node on random bytes biased towards UTF-8 lead/continuation bytes', () => {
    const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc0, max: 0xf7 }));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 40 }), fc.boolean(), (arr, fatal) => {
        const [ours, node] = both(Uint8Array.from(arr), fatal);
        expect(ours).toEqual(node);
      }),
      { numRuns: budget },
    );
  });

  it('decodes a subarray view, long inputs and valid text from fast-check strings', () => {
    const text = 'h\u00e9llo \u20ac \u{1f600} '.repeat(2000); // > 4096 code units: exercises the chunked flush
    const enc = new TextEncoder().encode(`xx${text}yy`);
    expect(new Stand('utf-8').decode(enc.subarray(2, enc.length - 2))).toBe(text);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const b = new TextEncoder().encode(s);
        expect(new Stand('utf-8', { fatal: true }).decode(b)).toBe(new globalThis.TextDecoder().decode(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects encodings other than UTF-8 instead of decoding them wrongly', () => {
    expect(() => new Stand('latin1')).toThrow(RangeError);
    expect(new Stand('UTF8').decode(new Uint8Array([0x41]))).toBe('A');
  });
});
