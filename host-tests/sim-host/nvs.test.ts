// Tests for the simulated NVS (tools/sim/host/nvs.ts): the firmware/host/nvs.ts contract, space accounting, the
// power-cut injector, the on-disk image and the power-cut enumerator.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NvsError } from '../../firmware/host/nvs';
import { SimNvs, forEachPowerCut } from '../../tools/sim/host/nvs';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof NvsError ? error.code : `not NvsError: ${(error as Error).name}`;
  }
  return undefined;
}

describe('SimNvs contract', () => {
  it('stores typed values per namespace and reads missing keys as undefined', () => {
    const nvs = new SimNvs();
    const a = nvs.open('wifi', 'readwrite');
    const b = nvs.open('or', 'readwrite');
    a.setU8('u8', 255);
    a.setU32('u32', 0xffffffff);
    a.setI32('i32', -0x80000000);
    a.setString('ssid', 'Café ☕');
    a.setBlob('blob', new Uint8Array([0, 1, 2, 255]));
    b.setString('ssid', 'other');
    expect(a.getU8('u8')).toBe(255);
    expect(a.getU32('u32')).toBe(0xffffffff);
    expect(a.getI32('i32')).toBe(-0x80000000);
    expect(a.getString('ssid')).toBe('Café ☕');
    expect(a.getBlob('blob')).toEqual(new Uint8Array([0, 1, 2, 255]));
    expect(b.getString('ssid')).toBe('other');
    expect(a.getString('nothing')).toBeUndefined();
    expect(nvs.open('never', 'readonly').getU8('x')).toBeUndefined();
  });

  it('returns blobs the caller owns', () => {
    const h = new SimNvs().open('ns', 'readwrite');
    const value = new Uint8Array([1, 2, 3]);
    h.setBlob('k', value);
    value[0] = 9; // the stored copy must not change
    const read = h.getBlob('k')!;
    read[1] = 9;
    expect(h.getBlob('k')).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('enforces 1..15-byte names (bytes, not characters)', () => {
    const nvs = new SimNvs();
    const h = nvs.open('n'.repeat(15), 'readwrite');
    h.setU8('k'.repeat(15), 1);
    expect(code(() => h.setU8('k'.repeat(16), 1))).toBe('KEY_TOO_LONG');
    expect(code(() => h.setU8('é'.repeat(8), 1))).toBe('KEY_TOO_LONG'); // 16 bytes
    expect(code(() => h.getU8(''))).toBe('KEY_TOO_LONG');
    expect(code(() => nvs.open('n'.repeat(16), 'readwrite'))).toBe('KEY_TOO_LONG');
  });

  it('throws TYPE_MISMATCH when reading with another type; a set of another type replaces the key', () => {
    const h = new SimNvs().open('ns', 'readwrite');
    h.setU32('k', 7);
    expect(code(() => h.getU8('k'))).toBe('TYPE_MISMATCH');
    expect(code(() => h.getString('k'))).toBe('TYPE_MISMATCH');
    expect(code(() => h.getBlob('k'))).toBe('TYPE_MISMATCH');
    h.setString('k', 'now a string');
    expect(h.getString('k')).toBe('now a string');
    expect(code(() => h.getU32('k'))).toBe('TYPE_MISMATCH');
  });

  it('limits strings and blobs to 4000 bytes and rejects out-of-range integers', () => {
    const h = new SimNvs().open('ns', 'readwrite');
    h.setString('s', 'x'.repeat(4000));
    h.setBlob('b', new Uint8Array(4000));
    expect(code(() => h.setString('s2', 'x'.repeat(4001)))).toBe('VALUE_TOO_LONG');
    expect(code(() => h.setString('s2', 'é'.repeat(2001)))).toBe('VALUE_TOO_LONG'); // 4002 bytes
    expect(code(() => h.setBlob('b2', new Uint8Array(4001)))).toBe('VALUE_TOO_LONG');
    expect(h.getString('s2')).toBeUndefined();
    expect(() => h.setU8('u', 256)).toThrow(RangeError);
    expect(() => h.setU32('u', -1)).toThrow(RangeError);
    expect(() => h.setI32('u', 2 ** 31)).toThrow(RangeError);
    expect(() => h.setU8('u', 1.5)).toThrow(RangeError);
    expect(() => h.setString('u', 'a\u0000b')).toThrow(RangeError);
  });

  it('erases keys and namespaces; readonly handles refuse writes; closed handles refuse everything', () => {
    const nvs = new SimNvs();
    const h = nvs.open('ns', 'readwrite');
    h.setU8('a', 1);
    h.setU8('b', 2);
    h.erase('a');
    h.erase('missing'); // not an error
    expect(h.getU8('a')).toBeUndefined();
    expect(h.getU8('b')).toBe(2);
    const other = nvs.open('other', 'readwrite');
    other.setU8('keep', 1);
    h.eraseAll();
    expect(h.getU8('b')).toBeUndefined();
    expect(other.getU8('keep')).toBe(1);

    const ro = nvs.open('other', 'readonly');
    expect(ro.getU8('keep')).toBe(1);
    expect(code(() => ro.setU8('keep', 2))).toBe('READ_ONLY');
    expect(code(() => ro.erase('keep'))).toBe('READ_ONLY');
    expect(code(() => ro.commit())).toBe('READ_ONLY');
    expect(other.getU8('keep')).toBe(1);

    other.close();
    expect(code(() => other.getU8('keep'))).toBe('CLOSED');
    expect(code(() => other.setU8('keep', 3))).toBe('CLOSED');
  });

  it('throws NOT_ENOUGH_SPACE when the partition is full and leaves the old value in place', () => {
    // Two pages: one usable (126 entries). A 4000-byte blob takes 2 + 125 = 127 entries: never fits.
    const nvs = new SimNvs({ partitionBytes: 8192 });
    const h = nvs.open('ns', 'readwrite');
    expect(code(() => h.setBlob('big', new Uint8Array(4000)))).toBe('NOT_ENOUGH_SPACE');
    // 1 namespace entry + blob of 3000 bytes (2 + 94 = 96 entries) = 97 used.
    h.setBlob('b', new Uint8Array(3000).fill(1));
    expect(nvs.usage()).toEqual({ usedEntries: 97, capacityEntries: 126 });
    // Replacing it needs room for the new copy before the old is erased (NVS writes, then erases): fails.
    expect(code(() => h.setBlob('b', new Uint8Array(2000).fill(2)))).toBe('NOT_ENOUGH_SPACE');
    expect(h.getBlob('b')).toEqual(new Uint8Array(3000).fill(1));
    // A small replacement fits; erasing frees space.
    h.setBlob('b', new Uint8Array(10).fill(3));
    expect(nvs.usage().usedEntries).toBe(1 + 3);
    h.erase('b');
    expect(nvs.usage().usedEntries).toBe(1);
  });
});

describe('SimNvs power cut', () => {
  it('counts set/erase/eraseAll/commit as steps and fails the cut step without applying it', () => {
    const nvs = new SimNvs();
    const h = nvs.open('ns', 'readwrite');
    h.setU8('a', 1); // step 1
    h.commit(); // step 2
    expect(nvs.steps).toBe(2);
    h.getU8('a'); // reads are not steps
    expect(nvs.steps).toBe(2);
    nvs.cutPowerAt(4);
    h.setU8('b', 2); // step 3 lands
    expect(code(() => h.setU8('c', 3))).toBe('POWER_LOSS'); // step 4 is cut
    expect(nvs.poweredOff).toBe(true);
    // Every later call fails the same way, on every handle, reads and open() included.
    expect(code(() => h.getU8('a'))).toBe('POWER_LOSS');
    expect(code(() => h.commit())).toBe('POWER_LOSS');
    expect(code(() => nvs.open('ns', 'readonly'))).toBe('POWER_LOSS');

    nvs.reboot();
    expect(nvs.steps).toBe(0);
    expect(code(() => h.getU8('a'))).toBe('CLOSED'); // a handle from before the reboot is stale
    const after = nvs.open('ns', 'readonly');
    expect([after.getU8('a'), after.getU8('b'), after.getU8('c')]).toEqual([1, 2, undefined]);
  });

  it('cuts an erase or eraseAll as a unit', () => {
    const nvs = new SimNvs();
    const h = nvs.open('ns', 'readwrite');
    h.setU8('a', 1);
    h.setU8('b', 2);
    nvs.cutPowerAt(nvs.steps + 1);
    expect(code(() => h.eraseAll())).toBe('POWER_LOSS');
    nvs.reboot();
    const r = nvs.open('ns', 'readonly');
    expect([r.getU8('a'), r.getU8('b')]).toEqual([1, 2]);
  });

  it('rejects a cut at a step already taken', () => {
    const nvs = new SimNvs();
    nvs.open('ns', 'readwrite').setU8('a', 1);
    expect(() => nvs.cutPowerAt(1)).toThrow(RangeError);
  });
});

describe('SimNvs file image', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simnvs-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('persists every completed step atomically; a cut mid-scenario leaves the file at the last completed step', () => {
    const file = path.join(dir, 'nvs.json');
    const nvs = new SimNvs({ path: file });
    const h = nvs.open('wifi', 'readwrite');
    h.setString('ssid', 'home');
    nvs.cutPowerAt(nvs.steps + 2);
    h.setString('pass', 'secret-1');
    const onDisk = fs.readFileSync(file, 'utf8');
    expect(code(() => h.setString('ssid', 'office'))).toBe('POWER_LOSS');
    expect(fs.readFileSync(file, 'utf8')).toBe(onDisk); // the cut step wrote nothing
    expect(fs.readdirSync(dir)).toEqual(['nvs.json']); // no temp file left behind

    // Another process (a fresh simulator) opening the same file sees exactly the completed steps...
    const fresh = new SimNvs({ path: file }).open('wifi', 'readonly');
    expect([fresh.getString('ssid'), fresh.getString('pass')]).toEqual(['home', 'secret-1']);
    // ...and so does the same instance after reboot(), which reloads the file.
    fs.writeFileSync(file, new SimNvs({ initial: undefined }).snapshot()); // an external change to the flash
    nvs.reboot();
    expect(nvs.open('wifi', 'readonly').getString('ssid')).toBeUndefined();
  });

  it('refuses a corrupt image with a clear error', () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{"format":"or-esp32-sim-nvs","version":1,"namespaces":{');
    expect(() => new SimNvs({ path: file })).toThrow(/not JSON/);
    fs.writeFileSync(file, '{"hello":1}');
    expect(() => new SimNvs({ path: file })).toThrow(/not an or-esp32-sim-nvs/);
  });

  it('starts from a snapshot', () => {
    const a = new SimNvs();
    a.open('ns', 'readwrite').setBlob('k', new Uint8Array([5]));
    const b = new SimNvs({ initial: a.snapshot() });
    expect(b.open('ns', 'readonly').getBlob('k')).toEqual(new Uint8Array([5]));
  });
});

describe('forEachPowerCut', () => {
  // A deliberately naive "store credentials" that writes two keys: a power cut between them mixes old and new.
  const storeTwoKeys = (nvs: SimNvs, ssid: string, pass: string) => {
    const h = nvs.open('wifi', 'readwrite');
    h.setString('ssid', ssid);
    h.setString('pass', pass);
    h.commit();
    h.close();
  };
  // The pattern the contract recommends: one blob holds the whole record, so each cut yields old or new.
  const storeOneBlob = (nvs: SimNvs, ssid: string, pass: string) => {
    const h = nvs.open('wifi', 'readwrite');
    h.setBlob('cred', new TextEncoder().encode(JSON.stringify({ ssid, pass })));
    h.commit();
    h.close();
  };
  const loadTwoKeys = (nvs: SimNvs) => {
    const h = nvs.open('wifi', 'readonly');
    return { ssid: h.getString('ssid'), pass: h.getString('pass') };
  };
  const loadOneBlob = (nvs: SimNvs) => {
    const blob = nvs.open('wifi', 'readonly').getBlob('cred');
    return blob && JSON.parse(new TextDecoder().decode(blob));
  };
  const OLD = { ssid: 'old-net', pass: 'old-pass' };
  const NEW = { ssid: 'new-net', pass: 'new-pass' };

  it('visits every step with a rebooted NVS and the atomic record passes', async () => {
    const seen: (number | undefined)[] = [];
    const { totalSteps } = await forEachPowerCut({
      setup: (nvs) => storeOneBlob(nvs, OLD.ssid, OLD.pass),
      run: (nvs) => storeOneBlob(nvs, NEW.ssid, NEW.pass),
      check: (nvs, { cutAt }) => {
        seen.push(cutAt);
        expect(nvs.poweredOff).toBe(false);
        const got = loadOneBlob(nvs);
        if (cutAt === undefined) expect(got).toEqual(NEW);
        else expect([OLD, NEW]).toContainEqual(got);
        // The blob lands at step 1: cutting there keeps OLD, cutting the commit (step 2) already has NEW.
        if (cutAt === 1) expect(got).toEqual(OLD);
        if (cutAt === 2) expect(got).toEqual(NEW);
      },
    });
    expect(totalSteps).toBe(2);
    expect(seen).toEqual([undefined, 1, 2]);
  });

  it('finds the mix in a two-key write (the checker would fail)', async () => {
    const mixes: number[] = [];
    await forEachPowerCut({
      setup: (nvs) => storeTwoKeys(nvs, OLD.ssid, OLD.pass),
      run: (nvs) => storeTwoKeys(nvs, NEW.ssid, NEW.pass),
      check: (nvs, { cutAt }) => {
        const got = loadTwoKeys(nvs);
        const ok = [OLD, NEW].some((v) => v.ssid === got.ssid && v.pass === got.pass);
        if (!ok) mixes.push(cutAt!);
      },
    });
    expect(mixes).toEqual([2]); // cut while writing the password: new SSID with old password
  });

  it('tolerates firmware that swallows the error, and rethrows real bugs', async () => {
    const swallow = await forEachPowerCut({
      run: (nvs) => {
        const h = nvs.open('ns', 'readwrite');
        for (let i = 0; i < 3; i++) {
          try {
            h.setU8(`k${i}`, i);
          } catch {
            /* firmware logs and carries on */
          }
        }
      },
      check: () => undefined,
    });
    expect(swallow.totalSteps).toBe(3);

    await expect(
      forEachPowerCut({
        run: (nvs) => {
          nvs.open('ns', 'readwrite').setU8('k', 1);
          throw new Error('firmware bug');
        },
        check: () => undefined,
      }),
    ).rejects.toThrow('firmware bug');
  });

  it('reports a scenario that does not repeat its steps', async () => {
    let runs = 0;
    await expect(
      forEachPowerCut({
        run: (nvs) => {
          const h = nvs.open('ns', 'readwrite');
          const n = runs++ === 0 ? 2 : 0; // first run writes twice, the others never
          for (let i = 0; i < n; i++) h.setU8('k', i);
        },
        check: () => undefined,
      }),
    ).rejects.toThrow(/not deterministic/);
  });
});
