// Property tests for the simulated NVS (tools/sim/host/nvs.ts): random operation sequences, with random power
// cuts, against a plain Map model; and random bytes as a flash image, which must give a clear NvsError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NvsError } from '../../firmware/host/nvs';
import { SimNvs } from '../../tools/sim/host/nvs';

type Op =
  | { kind: 'set'; ns: string; key: string; type: 'u8' | 'u32' | 'i32' | 'str' | 'blob'; value: number | string | Uint8Array }
  | { kind: 'erase'; ns: string; key: string }
  | { kind: 'eraseAll'; ns: string }
  | { kind: 'commit'; ns: string };

const nsArb = fc.constantFrom('wifi', 'or', 'a-fifteen-bytes');
const keyArb = fc.constantFrom('k', 'ssid', 'pass', 'x'.repeat(15));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), ns: nsArb, key: keyArb, type: fc.constant('u8' as const), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('set' as const), ns: nsArb, key: keyArb, type: fc.constant('u32' as const), value: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.record({ kind: fc.constant('set' as const), ns: nsArb, key: keyArb, type: fc.constant('i32' as const), value: fc.integer({ min: -0x80000000, max: 0x7fffffff }) }),
  fc.record({ kind: fc.constant('set' as const), ns: nsArb, key: keyArb, type: fc.constant('str' as const), value: fc.string({ maxLength: 64 }).filter((s) => !s.includes('\u0000')) }),
  fc.record({ kind: fc.constant('set' as const), ns: nsArb, key: keyArb, type: fc.constant('blob' as const), value: fc.uint8Array({ maxLength: 1500 }) }),
  fc.record({ kind: fc.constant('erase' as const), ns: nsArb, key: keyArb }),
  fc.record({ kind: fc.constant('eraseAll' as const), ns: nsArb }),
  fc.record({ kind: fc.constant('commit' as const), ns: nsArb }),
);

type Model = Map<string, { type: string; value: number | string | Uint8Array }>;

function apply(nvs: SimNvs, model: Model, op: Op): void {
  const h = nvs.open(op.ns, 'readwrite');
  switch (op.kind) {
    case 'set': {
      const setter = { u8: h.setU8, u32: h.setU32, i32: h.setI32, str: h.setString, blob: h.setBlob }[op.type] as (k: string, v: unknown) => void;
      setter.call(h, op.key, op.value);
      model.set(`${op.ns}/${op.key}`, { type: op.type, value: op.value });
      break;
    }
    case 'erase':
      h.erase(op.key);
      model.delete(`${op.ns}/${op.key}`);
      break;
    case 'eraseAll':
      h.eraseAll();
      for (const k of [...model.keys()]) if (k.startsWith(`${op.ns}/`)) model.delete(k);
      break;
    case 'commit':
      h.commit();
      break;
  }
}

function expectMatches(nvs: SimNvs, model: Model): void {
  for (const ns of ['wifi', 'or', 'a-fifteen-bytes']) {
    const h = nvs.open(ns, 'readonly');
    for (const key of ['k', 'ssid', 'pass', 'x'.repeat(15)]) {
      const want = model.get(`${ns}/${key}`);
      if (!want) {
        expect(h.getU8(key)).toBeUndefined();
        continue;
      }
      const got = { u8: () => h.getU8(key), u32: () => h.getU32(key), i32: () => h.getI32(key), str: () => h.getString(key), blob: () => h.getBlob(key) }[
        want.type as 'u8'
      ]();
      expect(got).toEqual(want.value);
      if (want.type !== 'u8') expect(() => h.getU8(key)).toThrow(expect.objectContaining({ code: 'TYPE_MISMATCH' }));
    }
  }
}

describe('SimNvs against a model', () => {
  it('matches a Map for random operations, and a random power cut keeps exactly the completed ones', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), fc.nat({ max: 40 }), (ops, cut) => {
        const nvs = new SimNvs({ partitionBytes: 0x6000 });
        const model: Model = new Map();
        if (cut > 0) nvs.cutPowerAt(cut);
        for (const op of ops) {
          // Keep the model's state as of the last completed operation; a failed one changes nothing.
          const before = new Map(model);
          try {
            apply(nvs, model, op);
          } catch (error) {
            model.clear();
            for (const [k, v] of before) model.set(k, v);
            expect(error).toBeInstanceOf(NvsError);
            expect(['POWER_LOSS', 'NOT_ENOUGH_SPACE']).toContain((error as NvsError).code);
          }
        }
        nvs.reboot();
        expectMatches(nvs, model);
      }),
      { numRuns: 300 },
    );
  });

  it('answers any bytes as a flash image with an NvsError, never a crash', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        try {
          const nvs = new SimNvs({ initial: text });
          nvs.open('ns', 'readonly').getU8('k');
        } catch (error) {
          expect(error).toBeInstanceOf(NvsError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses well-formed images whose entries the firmware could not have written', () => {
    const entryArb = fc.record({
      type: fc.constantFrom('u8', 'u32', 'i32', 'str', 'blob', 'float', '__proto__'),
      value: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.base64String(), fc.constant(null), fc.json()),
    });
    const imageArb = fc.record({
      format: fc.constant('or-esp32-sim-nvs'),
      version: fc.constant(1),
      namespaces: fc.dictionary(fc.string({ maxLength: 20 }), fc.dictionary(fc.string({ maxLength: 20 }), entryArb)),
    });
    fc.assert(
      fc.property(imageArb, (image) => {
        let nvs: SimNvs | undefined;
        try {
          nvs = new SimNvs({ initial: JSON.stringify(image) });
        } catch (error) {
          expect(error).toBeInstanceOf(NvsError);
          return;
        }
        // Accepted: every entry must then read back with its own type, and survive a write + reboot.
        for (const [ns, entries] of Object.entries(image.namespaces)) {
          const h = nvs.open(ns, 'readwrite');
          for (const [key, entry] of Object.entries(entries)) {
            const read = { u8: h.getU8, u32: h.getU32, i32: h.getI32, str: h.getString, blob: h.getBlob }[entry.type as 'u8'];
            const value = read.call(h, key);
            expect(entry.type === 'blob' ? Buffer.from(value as unknown as Uint8Array).toString('base64') : value).toEqual(entry.value);
          }
          h.setU8('fresh', 1);
        }
        nvs.reboot();
      }),
      { numRuns: 2000 },
    );
  });
});
