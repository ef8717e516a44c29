// Unit tests of the netstring codec used on the xsnap-worker pipes (tools/xs/netstring.ts).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeNetstring, NetstringDecoder, NetstringError } from '../../tools/xs/netstring';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

describe('encodeNetstring', () => {
  test('frames length, colon, bytes, comma', () => {
    expect(str(encodeNetstring(text('hello')))).toBe('5:hello,');
    expect(str(encodeNetstring())).toBe('0:,');
    expect(str(encodeNetstring(text('?'), text('abc')))).toBe('4:?abc,');
  });
  test('length counts bytes, not characters', () => {
    expect(str(encodeNetstring(text('✓')))).toBe('3:✓,');
  });
});

describe('NetstringDecoder', () => {
  test('decodes several frames from one chunk, including binary with : and ,', () => {
    const d = new NetstringDecoder();
    const payload = new Uint8Array([0x3a, 0x2c, 0x00, 0xff]);
    const out = d.push(new Uint8Array([...encodeNetstring(text('a')), ...encodeNetstring(payload), ...encodeNetstring()]));
    expect(out).toEqual([text('a'), payload, new Uint8Array(0)]);
    expect(d.pending).toBe(0);
  });

  test('waits for incomplete frames, byte by byte', () => {
    const d = new NetstringDecoder();
    const frame = encodeNetstring(text('split me'));
    const got: Uint8Array[] = [];
    for (const b of frame) got.push(...d.push(new Uint8Array([b])));
    expect(got).toEqual([text('split me')]);
  });

  test.each([
    ['x:abc,', /unexpected byte/],
    [':abc,', /empty length/],
    ['3:abc;', /missing trailing comma/],
    ['1234567890:', /more than 9 digits/],
  ])('rejects %s', (input, message) => {
    const d = new NetstringDecoder();
    expect(() => d.push(text(input))).toThrow(message);
  });

  test('enforces maxLength and stays failed afterwards', () => {
    const d = new NetstringDecoder(10);
    expect(() => d.push(text('11:'))).toThrow(NetstringError);
    expect(() => d.push(text('1:a,'))).toThrow(/exceeds 10/);
  });

  test('any payloads, any chunking: decode(encode(x)) = x', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 10 }),
        (payloads, cuts) => {
          const stream = new Uint8Array(payloads.flatMap((p) => [...encodeNetstring(p)]));
          const d = new NetstringDecoder();
          const got: Uint8Array[] = [];
          for (let i = 0, c = 0; i < stream.length; c++) {
            const n = cuts[c % cuts.length];
            got.push(...d.push(stream.subarray(i, i + n)));
            i += n;
          }
          expect(got).toEqual(payloads);
          expect(d.pending).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
