// XS entry of the foundation suite (issue 2): protobuf on the real XS engine. The Node side sends, as input, samples
// for every message type and the transcript vectors; this entry encodes/decodes them with the generated module
// (firmware/generated/proto.js, protobufjs/minimal bundled for XS) and emits what it produced for comparison.
import * as proto from '../../../firmware/generated/proto.js';
import { fromHex, toHex } from '../../../firmware/util/bytes';
import { assert, assertBytes, emit, input, test } from '../runtime';
import { generatedClassPaths } from '../class-paths';

interface MessageClass {
  encode(message: unknown): { finish(): Uint8Array };
  decode(data: Uint8Array): Record<string, unknown>;
}

interface ProtoInput {
  samples: Record<string, Record<string, unknown>[]>;
  vectors: { label: string; type: string; hex: string }[];
}

function classAt(path: string): MessageClass {
  let value: unknown = proto;
  for (const part of path.split('.')) value = (value as Record<string, unknown>)[part];
  assert(typeof value === 'function' && typeof (value as unknown as MessageClass).encode === 'function', `no class ${path}`);
  return value as unknown as MessageClass;
}

test('generated classes', () => {
  // The same walk as on Node (class-paths.ts), here over the XS bundle's generated module.
  emit(generatedClassPaths(proto as unknown as Record<string, unknown>));
});

test('round trip of every message type', () => {
  const { samples } = input<ProtoInput>();
  const encoded: Record<string, string[]> = {};
  for (const [path, list] of Object.entries(samples)) {
    const Class = classAt(path);
    encoded[path] = list.map((sample, i) => {
      const bytes = Class.encode(sample).finish();
      const decoded = Class.decode(bytes);
      const again = Class.encode(decoded).finish();
      assertBytes(again, bytes, `${path} sample ${i}: re-encode of the decoded message`);
      return toHex(bytes);
    });
  }
  emit(encoded);
});

test('transcript vectors decode and re-encode byte for byte', () => {
  const { vectors } = input<ProtoInput>();
  assert(vectors.length > 0, 'no vectors');
  const decodedAll: Record<string, unknown> = {};
  for (const v of vectors) {
    const bytes = fromHex(v.hex);
    assert(bytes !== undefined, `${v.label}: bad hex`);
    const message = classAt(v.type).decode(bytes);
    assertBytes(classAt(v.type).encode(message).finish(), bytes, `${v.label} (${v.type})`);
    decodedAll[v.label] = message;
  }
  emit(decodedAll);
});
