// TextDecoder stand-in bundled into build/moddable/protobufjs-minimal.js by tools/native/prepare-moddable.mjs (runs
// on the chip). protobufjs 8 constructs two TextDecoders while its module loads; under Moddable that happens inside
// xsl's preload, where no native function may run and Moddable's TextDecoder (text/decoder) is a native class, so
// the SDK's build fails ("get TextDecoder: undefined variable" without it). This one is plain JS with no mutable
// state (preloaded objects are frozen) and follows the WHATWG Encoding Standard's UTF-8 decoder (§4.1 "utf-8
// decoder"): maximal-subpart U+FFFD replacement, or a TypeError with `fatal`. Only UTF-8 and one-shot decode().

export class TextDecoder {
  readonly encoding = 'utf-8';
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;

  constructor(label: string = 'utf-8', options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    const name = String(label).trim().toLowerCase();
    if (name !== 'utf-8' && name !== 'utf8' && name !== 'unicode-1-1-utf-8') {
      throw new RangeError(`TextDecoder: only utf-8 is supported, not "${label}"`);
    }
    this.fatal = Boolean(options.fatal);
    this.ignoreBOM = Boolean(options.ignoreBOM);
  }

  decode(input?: ArrayBufferView | ArrayBuffer): string {
    if (input === undefined) return '';
    const bytes = ArrayBuffer.isView(input)
      ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
      : new Uint8Array(input);
    let i = 0;
    if (!this.ignoreBOM && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
    const units: number[] = [];
    let out = '';
    let needed = 0;
    let seen = 0;
    let cp = 0;
    let lower = 0x80;
    let upper = 0xbf;
    const emit = (c: number) => {
      if (c > 0xffff) {
        c -= 0x10000;
        units.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
      } else units.push(c);
      if (units.length >= 4096) out += flush(); // keep fromCharCode's argument list short
    };
    const flush = () => {
      const s = String.fromCharCode(...units);
      units.length = 0;
      return s;
    };
    const error = () => {
      if (this.fatal) throw new TypeError('TextDecoder: invalid UTF-8');
      emit(0xfffd);
    };
    while (i < bytes.length) {
      const b = bytes[i]!;
      if (needed === 0) {
        i++;
        if (b <= 0x7f) emit(b);
        else if (b >= 0xc2 && b <= 0xdf) {
          needed = 1;
          cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) lower = 0xa0; // overlong
          if (b === 0xed) upper = 0x9f; // surrogates
          needed = 2;
          cp = b & 0x0f;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) lower = 0x90; // overlong
          if (b === 0xf4) upper = 0x8f; // above U+10FFFF
          needed = 3;
          cp = b & 0x07;
        } else error();
        continue;
      }
      if (b < lower || b > upper) {
        // The sequence so far is one maximal subpart: one U+FFFD, and this byte starts over (not consumed).
        needed = seen = cp = 0;
        lower = 0x80;
        upper = 0xbf;
        error();
        continue;
      }
      i++;
      lower = 0x80;
      upper = 0xbf;
      cp = (cp << 6) | (b & 0x3f);
      if (++seen === needed) {
        emit(cp);
        needed = seen = cp = 0;
      }
    }
    if (needed !== 0) error(); // truncated at the end
    return out + flush();
  }
}
