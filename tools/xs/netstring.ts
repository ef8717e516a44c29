// Netstring codec (D. J. Bernstein, "Netstrings", 1997): `<decimal length>:<bytes>,`. This is the framing of the
// xsnap-worker command pipes (fd 3 parent→worker, fd 4 worker→parent; xsnap-worker.c fxReadNetString /
// fxWriteNetString). The worker reads the length with fscanf("%9lu"), so lengths above 999999999 are refused here too.

export class NetstringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetstringError';
  }
}

const COLON = 0x3a;
const COMMA = 0x2c;
const MAX_DIGITS = 9;

/** Frames the concatenation of `parts` as one netstring. */
export function encodeNetstring(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const prefix = new TextEncoder().encode(`${length}:`);
  const out = new Uint8Array(prefix.length + length + 1);
  out.set(prefix, 0);
  let offset = prefix.length;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  out[offset] = COMMA;
  return out;
}

/** Incremental decoder: feed it chunks as they arrive from a pipe, get back every complete payload.
 * Any framing error is final (throws NetstringError now and on every later push): the stream is out of sync. */
export class NetstringDecoder {
  private buffer: Uint8Array = new Uint8Array(0);
  private failure: NetstringError | undefined;

  constructor(private readonly maxLength = 999_999_999) {}

  /** Bytes received but not yet part of a complete netstring. */
  get pending(): number {
    return this.buffer.length;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) {
      const joined = new Uint8Array(this.buffer.length + chunk.length);
      joined.set(this.buffer, 0);
      joined.set(chunk, this.buffer.length);
      this.buffer = joined;
    }
    const out: Uint8Array[] = [];
    let start = 0;
    try {
      for (;;) {
        const frame = this.frameAt(start);
        if (!frame) break;
        out.push(this.buffer.slice(frame.bodyStart, frame.bodyStart + frame.length));
        start = frame.bodyStart + frame.length + 1;
      }
    } catch (error) {
      this.failure = error as NetstringError;
      throw error;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  /** Parses the header at `start`; undefined while the frame is incomplete. */
  private frameAt(start: number): { bodyStart: number; length: number } | undefined {
    const b = this.buffer;
    let length = 0;
    let i = start;
    for (; i < b.length && b[i] !== COLON; i++) {
      const c = b[i];
      if (c < 0x30 || c > 0x39) throw new NetstringError(`netstring: unexpected byte 0x${c.toString(16)} in length`);
      if (i - start >= MAX_DIGITS) throw new NetstringError('netstring: length has more than 9 digits');
      length = length * 10 + (c - 0x30);
    }
    if (i >= b.length) return undefined;
    if (i === start) throw new NetstringError('netstring: empty length');
    if (length > this.maxLength) throw new NetstringError(`netstring: length ${length} exceeds ${this.maxLength}`);
    const bodyStart = i + 1;
    if (b.length < bodyStart + length + 1) return undefined;
    if (b[bodyStart + length] !== COMMA) throw new NetstringError('netstring: missing trailing comma');
    return { bodyStart, length };
  }
}
