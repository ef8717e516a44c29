// The preload-safe variant of the generated protobuf module used by the Moddable build (tools/native/moddable/
// proto-defaults.mjs, written to build/moddable/proto.js by tools/native/prepare-moddable.mjs). Preload freezes
// every prototype; with protobufjs's field defaults on the prototype, decoding then threw "set secVer: not
// writable" in the SDK's simulator. Here the prototypes are frozen the same way on Node: the original module fails
// like on the chip, and the rewritten one decodes and re-encodes the pinned transcripts byte for byte.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeOverrideSafe } from '../../tools/native/moddable/proto-defaults.mjs';

type Codec = { decode(b: Uint8Array): object; encode(m: object): { finish(): Uint8Array } };
type ProtoModule = Record<string, unknown>;

const root = process.cwd();
const source = readFileSync(join(root, 'firmware/generated/proto.js'), 'utf8');
const vectors = JSON.parse(readFileSync(join(root, 'host-tests/fixtures/vectors/transcripts.json'), 'utf8')) as Record<
  string,
  { endpoint: string; request_hex: string; response_hex: string }[]
>;

/** Loads a copy of the module from build/ (so 'protobufjs/minimal.js' resolves to node_modules), as its own instance.
 * Generated modules register their classes in protobufjs's shared `roots["default"]` and decode into
 * `new $root.X()`, so each copy gets its own root here; otherwise the second copy's classes would serve both. */
async function load(code: string, name: string): Promise<ProtoModule> {
  const dir = join(root, 'build', 'native', 'proto-defaults-test');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${process.pid}.mjs`);
  const own = code.split('$protobuf.roots["default"]').join(`$protobuf.roots["${name}"]`);
  expect(own).not.toBe(code);
  writeFileSync(file, own);
  return (await import(pathToFileURL(file).href)) as ProtoModule;
}

/** What xsl's preload does to the module's classes: every prototype frozen (documentation/xs/preload.md). */
function freezePrototypes(mod: ProtoModule): number {
  let frozen = 0;
  const seen = new Set<unknown>();
  const visit = (value: unknown) => {
    if ((typeof value !== 'function' && (typeof value !== 'object' || value === null)) || seen.has(value)) return;
    seen.add(value);
    if (typeof value === 'function' && value.prototype && Object.getOwnPropertyNames(value.prototype).length > 1) {
      Object.freeze(value.prototype);
      frozen++;
    }
    for (const key of Object.keys(value)) if (/^[A-Z]/.test(key)) visit((value as Record<string, unknown>)[key]);
  };
  for (const value of Object.values(mod)) visit(value);
  return frozen;
}

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Plain-text protobuf messages of the transcripts: sessions of every scheme, scan and config of sec0. */
function samples(): { codec: string; hex: string }[] {
  const out: { codec: string; hex: string }[] = [];
  for (const name of ['sec0', 'sec1', 'sec2_patch1', 'sec2_patch0']) {
    for (const step of vectors[name]!) {
      if (step.endpoint === 'prov-session') out.push({ codec: 'SessionData', hex: step.request_hex }, { codec: 'SessionData', hex: step.response_hex });
    }
  }
  for (const step of vectors.sec0!) {
    const codec = step.endpoint === 'prov-scan' ? 'WiFiScanPayload' : step.endpoint === 'prov-config' ? 'WiFiConfigPayload' : undefined;
    if (codec) out.push({ codec, hex: step.request_hex }, { codec, hex: step.response_hex });
  }
  return out;
}

describe('preload-safe protobuf module (Moddable build)', () => {
  let original: ProtoModule;
  let safe: ProtoModule;
  let fields = 0;

  beforeAll(async () => {
    const result = makeOverrideSafe(source);
    fields = result.fields;
    original = await load(source, 'original');
    safe = await load(result.code, 'safe');
    expect(freezePrototypes(original)).toBeGreaterThan(20);
    expect(freezePrototypes(safe)).toBeGreaterThan(20);
  });

  it('rewrites every field default and nothing else', () => {
    expect(fields).toBe(source.split('\n').filter((l) => /^\s*\w+\.prototype\.\w+ = /.test(l)).length);
    const result = makeOverrideSafe(source).code;
    expect(result.split('\n').filter((l) => /^\s*\w+\.prototype\.\w+ = /.test(l))).toEqual([]);
    expect(() => makeOverrideSafe('import $protobuf from "protobufjs/minimal.js";\nX.prototype.f = 0;\nY.prototype.g = function () {};\n')).toThrow(/unexpected form/);
    expect(() => makeOverrideSafe('const x = 1;\n')).toThrow(/no field defaults/);
  });

  it('reproduces the failure: the original module cannot decode once its prototypes are frozen', () => {
    const SessionData = original.SessionData as Codec;
    const step = vectors.sec2_patch1!.find((s) => s.endpoint === 'prov-session')!;
    expect(() => SessionData.decode(hex(step.request_hex))).toThrow(TypeError);
  });

  it('decodes and re-encodes the transcripts byte for byte with frozen prototypes', () => {
    const list = samples();
    expect(list.length).toBeGreaterThan(15);
    for (const { codec, hex: h } of list) {
      const c = safe[codec] as Codec;
      const message = c.decode(hex(h));
      expect(toHex(c.encode(message).finish()), `${codec} ${h}`).toBe(h);
    }
  });

  it('keeps defaults readable, fields own once set, and delete falling back to the default', () => {
    const SessionData = safe.SessionData as new () => Record<string, unknown>;
    const m = new SessionData();
    expect(m.secVer).toBe(0);
    expect(Object.keys(m)).toEqual([]);
    m.secVer = 2;
    expect(Object.getOwnPropertyDescriptor(m, 'secVer')).toMatchObject({ value: 2, writable: true, enumerable: true });
    expect(new SessionData().secVer).toBe(0); // the default is not changed by a write to one message
    delete m.secVer;
    expect(m.secVer).toBe(0);
  });
});
