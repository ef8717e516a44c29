// Node-side helpers for the XS protobuf suite: sample messages for EVERY type in proto/*.proto, built by walking the
// protobufjs reflection of the .proto sources (independent of the generated code), and the list of message
// classes the generated module (firmware/generated/proto.js) exports, found by walking it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';

export function loadProtoRoot(root: string): protobuf.Root {
  const dir = join(root, 'proto');
  const files = readdirSync(dir).filter((f) => f.endsWith('.proto')).sort().map((f) => join(dir, f));
  const r = new protobuf.Root();
  r.loadSync(files, { keepCase: false });
  r.resolveAll();
  return r;
}

export function allMessageTypes(ns: protobuf.NamespaceBase, out: protobuf.Type[] = []): protobuf.Type[] {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) out.push(nested);
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) allMessageTypes(nested, out);
  }
  return out;
}

/** Dotted paths of every message class in a generated static module (shared with the XS entry). */
export { generatedClassPaths } from './class-paths';

/** Reflection name ".orconfig.Request.DeviceInfo" -> generated class path "orconfig.Request.DeviceInfo". */
export function classPath(type: protobuf.Type): string {
  return type.fullName.replace(/^\./, '');
}

// Non-default values that exercise the wire format: negative int32 (10-byte varint), uint32 max, non-ASCII strings
// (2-, 3- and 4-byte UTF-8), bytes with 0x00/0x80/0xff.
function scalar(type: string, variant: number): unknown {
  switch (type) {
    case 'string':
      return variant % 2 === 0 ? `héllo ✓ 🙂 ${variant}` : 'x';
    case 'bytes':
      return new Uint8Array([0x00, 0xff, 0x80, 0x7f, variant + 1]);
    case 'bool':
      return true;
    case 'int32':
      return variant % 2 === 0 ? -123456 : 300;
    case 'uint32':
      return variant % 2 === 0 ? 4294967295 : 128;
    case 'sint32':
      return -2147483648;
    case 'fixed32':
      return 0xdeadbeef;
    case 'sfixed32':
      return -5;
    case 'int64':
    case 'uint64':
    case 'fixed64':
      return 2 ** 40 + 5;
    case 'sint64':
    case 'sfixed64':
      return -(2 ** 40);
    case 'double':
      return 1.5;
    case 'float':
      return 0.25;
    default:
      throw new Error(`proto sample: unsupported scalar type ${type}`);
  }
}

function fieldValue(field: protobuf.Field, variant: number, depth: number, element: number): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    const values = [...new Set(Object.values(resolved.values))].filter((v) => v !== 0).sort((a, b) => a - b);
    if (values.length === 0) return 0;
    return values[(variant + element) % values.length];
  }
  if (resolved instanceof protobuf.Type) return sample(resolved, variant + element, depth + 1);
  return scalar(field.type, variant + element);
}

/** One sample of `type`; `variant` selects which member of each oneof is set. */
export function sample(type: protobuf.Type, variant: number, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > 4) return out;
  for (const field of type.fieldsArray) {
    if (field.partOf) {
      const members = field.partOf.fieldsArray;
      if (members[variant % members.length] !== field) continue;
    }
    if (field instanceof protobuf.MapField) {
      out[field.name] = { alpha: fieldValue(field, variant, depth, 0), 'κλειδί': fieldValue(field, variant, depth, 1) };
    } else if (field.repeated) {
      out[field.name] = [fieldValue(field, variant, depth, 0), fieldValue(field, variant, depth, 1)];
    } else {
      out[field.name] = fieldValue(field, variant, depth, 0);
    }
  }
  return out;
}

/** Enough samples to set every member of every oneof of `type` at least once. */
export function samplesFor(type: protobuf.Type): Record<string, unknown>[] {
  const variants = Math.max(1, ...type.oneofsArray.map((o) => o.fieldsArray.length));
  return Array.from({ length: variants }, (_, v) => sample(type, v));
}
