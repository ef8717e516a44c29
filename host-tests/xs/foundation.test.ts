// Foundation XS suite (issue 2 "Show"): the firmware toolchain on the real XS engine (xsnap-worker, XS 13.3).
// (a) every protobuf message type round-trips on XS and XS bytes equal Node's; (b) every transcript vector decodes
// on XS as its endpoint's message and re-encodes identically; (c) a host round trip through the XS provider;
// and the harness itself refuses runs that throw, fail, or end without the completion marker.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import * as generated from '../../firmware/generated/proto.js';
import { decodeValue, encodeValue } from '../../firmware/host/xsnap/codec';
import { toHex } from '../../firmware/util/bytes';
import { loadTranscripts } from '../fixtures/vectors';
import { createNodeHost } from '../../tools/sim/host/index';
import { createSimWifi } from '../../tools/sim/wifi/index';
import { boot } from '../../firmware/boot';
import { expectAllPassed, runCasesOnBoth, runXsTests, startFirmwareOnXs, XsHarnessError } from './harness';
import { allMessageTypes, classPath, generatedClassPaths, loadProtoRoot, samplesFor } from './proto-samples';
import type { TranscriptStep } from '../fixtures/vectors';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const normalize = (value: unknown) => decodeValue(encodeValue(value));

type Step = TranscriptStep;

/** Transcript bytes and the message each endpoint implies (unified-provisioning.md; vectors/README.md). */
function transcriptVectors(): { label: string; type: string; hex: string }[] {
  const transcripts = loadTranscripts() as Record<string, Step[] | unknown>;
  const out: { label: string; type: string; hex: string }[] = [];
  for (const [name, steps] of Object.entries(transcripts)) {
    if (name === 'inputs') continue;
    (steps as Step[]).forEach((step, i) => {
      const add = (field: keyof Step, type: string) => {
        const hex = step[field];
        if (hex === undefined) throw new Error(`${name}[${i}] has no ${field}`);
        out.push({ label: `${name}[${i}] ${step.endpoint} ${field}`, type, hex });
      };
      if (step.endpoint === 'prov-session') {
        add('request_hex', 'SessionData');
        add('response_hex', 'SessionData');
      } else if (step.endpoint === 'prov-scan' || step.endpoint === 'prov-config') {
        const type = step.endpoint === 'prov-scan' ? 'WiFiScanPayload' : 'WiFiConfigPayload';
        add('request_plain_hex', type);
        add('response_plain_hex', type);
        // sec0 sends the protobuf in the clear: the wire bytes are the same message.
        if (name === 'sec0') {
          add('request_hex', type);
          add('response_hex', type);
        }
      } else if (step.endpoint !== 'proto-ver') {
        throw new Error(`unexpected endpoint ${step.endpoint}`); // proto-ver carries JSON, not protobuf
      }
    });
  }
  return out;
}

describe('protobuf on XS', () => {
  const protoRoot = loadProtoRoot(root);
  const types = allMessageTypes(protoRoot);
  const samples = Object.fromEntries(types.map((t) => [classPath(t), samplesFor(t)]));
  const vectors = transcriptVectors();

  test('samples set every field of every message type', () => {
    expect(types.length).toBeGreaterThan(40);
    for (const type of types) {
      const set = new Set(samples[classPath(type)].flatMap((s) => Object.keys(s)));
      expect([...set].sort(), type.fullName).toEqual(type.fieldsArray.map((f) => f.name).sort());
    }
  });

  test('round trips of every message type, XS bytes = Node bytes, vectors re-encode identically', async () => {
    const run = await runXsTests('host-tests/xs/entries/proto.ts', { input: { samples, vectors } });
    expectAllPassed(run);
    const out = Object.fromEntries(run.results.map((r) => [r.name, r.values[0]]));

    // Every generated class, walked on XS and on Node, is exactly the set of message types in proto/*.proto.
    const nodeClasses = generatedClassPaths(generated as unknown as Record<string, unknown>);
    expect(out['generated classes']).toEqual(nodeClasses);
    expect(nodeClasses).toEqual(types.map(classPath).sort());

    // (a) XS encoding = Node encoding with the same generated code = protobufjs reflection encoding of the .proto.
    const xsEncoded = out['round trip of every message type'] as Record<string, string[]>;
    expect(Object.keys(xsEncoded).sort()).toEqual(nodeClasses);
    let compared = 0;
    for (const type of types) {
      const path = classPath(type);
      const Class = path.split('.').reduce<any>((v, k) => v[k], generated);
      samples[path].forEach((sample, i) => {
        const nodeHex = toHex(Class.encode(sample).finish());
        const reflectionHex = toHex(type.encode(type.fromObject(sample)).finish());
        expect(xsEncoded[path][i], `${path} sample ${i}`).toBe(nodeHex);
        expect(reflectionHex, `${path} sample ${i} (reflection)`).toBe(nodeHex);
        if (type.fieldsArray.length > 0) expect(nodeHex.length, `${path} sample ${i} is not empty`).toBeGreaterThan(0);
        compared++;
      });
    }
    expect(compared).toBeGreaterThanOrEqual(types.length);

    // (b) Every vector decoded on XS to the same message as on Node.
    const xsDecoded = out['transcript vectors decode and re-encode byte for byte'] as Record<string, unknown>;
    expect(Object.keys(xsDecoded)).toHaveLength(vectors.length);
    for (const v of vectors) {
      const nodeDecoded = (generated as any)[v.type].decode(Buffer.from(v.hex, 'hex'));
      expect(xsDecoded[v.label], v.label).toEqual(normalize(nodeDecoded));
    }
  });
});

describe('host round trip through the XS provider', () => {
  test('NVS, SHA-256, X25519 (RFC 7748), AES-CTR, typed errors, device, log, timers', async () => {
    const host = createNodeHost({ clock: 'virtual', log: 'capture', uart: 'memory' });
    const clock = host.sim.virtualClock!;
    const clockErrors: unknown[] = [];
    const run = await runXsTests('host-tests/xs/entries/host.ts', {
      host,
      // The XS side is blocked in this request; the clock fires the timer asynchronously (its callback returns the
      // bridge's Promise, so it must be driven with advanceAsync).
      extraOps: { 'test.advance': (ms) => void clock.advanceAsync(ms as number).catch((e: unknown) => clockErrors.push(e)) },
    });
    expectAllPassed(run);
    expect(clockErrors).toEqual([]);
    const out = Object.fromEntries(run.results.map((r) => [r.name, r.values[0]]));

    // What XS wrote is in the Node NVS, readable by firmware on Node.
    const ns = host.nvs.open('xs-test', 'readonly');
    expect(ns.getU32('u32')).toBe(4294967295);
    expect(ns.getI32('i32')).toBe(-2147483648);
    expect(ns.getString('str')).toBe('Wi-Fi ✓ 🙂');
    expect(ns.getBlob('blob')).toEqual(Uint8Array.from({ length: 256 }, (_, i) => i));

    // AES-CTR on XS = node:crypto directly.
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const counter = Uint8Array.from({ length: 16 }, (_, i) => 32 + i);
    const direct = host.crypto.aesCtr(key, counter).update(Uint8Array.from({ length: 100 }, (_, i) => i));
    expect(out['aes-ctr stream continues across partial blocks; closed stream throws CLOSED']).toBe(toHex(direct));

    expect(out['device identity and log line']).toEqual({
      mac: host.device.mac(),
      chip: host.device.chipModel(),
      monotonic: 0,
    });
    expect(host.sim.capture!.entries.some((e) => e.tag === 'xs-test' && e.message.startsWith(`mac ${toHex(host.device.mac())}`))).toBe(true);
    expect(out['timer expiry from the Node virtual clock reaches the firmware']).toEqual(['after advance', 'timer']);
  });
});

describe('the harness refuses bad runs', () => {
  test('an entry that throws while loading fails with the XS message', async () => {
    await expect(runXsTests('host-tests/xs/entries/throws.ts')).rejects.toThrow(/failed to load on XS.*RangeError: deliberate failure at load/s);
  });

  test('a failing test is reported with its message; expectAllPassed throws', async () => {
    const run = await runXsTests('host-tests/xs/entries/failing.ts');
    expect(run.results.map((r) => [r.name, r.ok])).toEqual([
      ['passes', true],
      ['fails synchronously', false],
      ['fails asynchronously', false],
    ]);
    expect(run.results[1].error).toMatch(/assertion failed: deliberate/);
    expect(run.results[2].error).toMatch(/TypeError: deliberate async/);
    expect(() => expectAllPassed(run)).toThrow(/2 XS test\(s\) failed/);
  });

  test('a run without the completion marker fails', async () => {
    await expect(runXsTests('host-tests/xs/entries/no-marker.ts')).rejects.toThrow(XsHarnessError);
    await expect(runXsTests('host-tests/xs/entries/no-marker.ts')).rejects.toThrow(/completion marker/);
  });

  test('an unhandled promise rejection in XS fails the run', async () => {
    await expect(runXsTests('host-tests/xs/entries/unhandled.ts')).rejects.toThrow(/uncaught errors in firmware on XS.*late failure/s);
  });
});

describe('same code on both engines', () => {
  test('firmware utility cases give identical results on Node and XS', async () => {
    const nodeHost = createNodeHost({ clock: 'virtual', log: 'capture', uart: 'memory' });
    const { node, xs } = await runCasesOnBoth('host-tests/xs/cases/util-cases.ts', 'utilCases', { nodeHost });
    expect(Object.keys(node)).toHaveLength(6);
    expect((node.throws as { error: string }).error).toMatch(/^CryptoHostError: /);
    expect(xs).toEqual(normalize(node));
  });

  test('the simulator entry boots on XS and logs like boot() on Node', async () => {
    // A console-only sec1 device on the simulated Wi-Fi: boot() must reach provisioning on both engines alike.
    const config = { security: { version: 1 as const, pop: 'abcd1234' }, transports: { console: true } };
    const make = () => {
      const h = createNodeHost({ clock: 'virtual', log: 'capture', uart: 'memory' });
      return createNodeHost({ clock: h.sim.virtualClock, log: 'capture', uart: 'memory', wifi: createSimWifi({ timers: h.timers }) });
    };
    const onNode = make();
    const device = boot(onNode, config);
    expect(device.mode).toBe('provisioning');
    const onXs = make();
    const firmware = await startFirmwareOnXs(onXs);
    try {
      const status = await firmware.boot(config);
      expect(status).toMatchObject({ status: 'booted', mode: 'provisioning', deviceName: device.deviceName });
      await expect(firmware.boot(config)).rejects.toThrow(/already booted/);
    } finally {
      await firmware.close();
    }
    const lines = (h: typeof onNode) => h.sim.capture!.entries.map((e) => [e.level, e.tag, e.message]);
    expect(lines(onXs)).toEqual(lines(onNode));
    expect(lines(onXs)[0]).toEqual(['info', 'boot', 'chip sim, mac 02:53:49:4d:00:01']);
    expect(lines(onXs).map((l) => l[2])).toContain('not provisioned: starting provisioning');
    // The PoP is product data: it never reaches the log.
    onXs.sim.capture!.assertNoSecret('abcd1234');
  });
});
