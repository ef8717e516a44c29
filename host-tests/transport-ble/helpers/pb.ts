// Minimal protobuf wire codec for the test-side provisioning client, written from unified-provisioning.md §2 (not
// from the firmware): varint and length-delimited fields only, enough for SessionData and its payloads.

export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

/** A varint field; proto3 omits zero scalars (§2.6). */
export function vField(field: number, value: number): number[] {
  return value === 0 ? [] : [...varint(field << 3), ...varint(value)];
}

/** A length-delimited field (bytes or sub-message); emitted even when empty (a set oneof member, §2.6). */
export function bField(field: number, body: ArrayLike<number>): number[] {
  return [...varint((field << 3) | 2), ...varint(body.length), ...Array.from(body)];
}

export type Decoded = Map<number, (bigint | Uint8Array)[]>;

/** Decodes one message level. Throws on malformed input (the test client treats that as a protocol failure). */
export function decode(data: Uint8Array): Decoded {
  const out: Decoded = new Map();
  let at = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= data.length || shift > 63n) throw new Error('bad varint');
      const b = data[at++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
    }
  };
  while (at < data.length) {
    const key = Number(readVarint());
    const field = key >> 3;
    const wire = key & 7;
    let value: bigint | Uint8Array;
    if (wire === 0) value = readVarint();
    else if (wire === 2) {
      const len = Number(readVarint());
      if (at + len > data.length) throw new Error('truncated field');
      value = data.slice(at, at + len);
      at += len;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = out.get(field) ?? [];
    list.push(value);
    out.set(field, list);
  }
  return out;
}

export function getBytes(m: Decoded, field: number): Uint8Array | undefined {
  const v = m.get(field)?.[0];
  return v instanceof Uint8Array ? v : undefined;
}

export function getInt(m: Decoded, field: number): number {
  const v = m.get(field)?.[0];
  return typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : 0;
}

export function sub(m: Decoded, field: number): Decoded {
  const b = getBytes(m, field);
  if (!b) throw new Error(`missing sub-message ${field}`);
  return decode(b);
}
