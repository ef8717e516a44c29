// A small, regex-free XML well-formedness checker for the SVG that tools/diagram/svg.ts writes (test helper).
// It covers what the renderer may emit — an XML declaration, elements with quoted attributes, character data and
// the predefined/numeric entities — and rejects everything else, returning the element tree for inspection.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Decoded character data directly inside this element. */
  text: string;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === ':';
}
function isNameChar(c: string): boolean {
  return isNameStart(c) || (c >= '0' && c <= '9') || c === '-' || c === '.';
}
function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\n' || c === '\t' || c === '\r';
}
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000;
}

/** Parses `source`; throws an Error naming the offset of the first problem. */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`XML error at ${i}: ${why}`);
  };
  for (const ch of source) if (!isXmlChar(ch.codePointAt(0)!)) fail(`character U+${ch.codePointAt(0)!.toString(16)} not allowed`);

  const readName = (): string => {
    if (!isNameStart(source[i] ?? '')) fail('expected a name');
    const start = i;
    while (i < source.length && isNameChar(source[i]!)) i++;
    return source.slice(start, i);
  };
  const readEntity = (): string => {
    // at '&'
    const end = source.indexOf(';', i);
    if (end < 0 || end - i > 10) fail('unterminated entity');
    const body = source.slice(i + 1, end);
    i = end + 1;
    if (body.startsWith('#x')) {
      const hex = body.slice(2);
      for (const d of hex) if (!'0123456789abcdefABCDEF'.includes(d)) fail(`bad character reference &${body};`);
      const v = parseInt(hex, 16);
      if (hex === '' || !isXmlChar(v)) fail(`bad character reference &${body};`);
      return String.fromCodePoint(v);
    }
    if (body.startsWith('#')) {
      const digits = body.slice(1);
      for (const d of digits) if (d < '0' || d > '9') fail(`bad character reference &${body};`);
      const v = Number(digits);
      if (digits === '' || !isXmlChar(v)) fail(`bad character reference &${body};`);
      return String.fromCodePoint(v);
    }
    const named = PREDEFINED[body];
    if (named === undefined) fail(`unknown entity &${body};`);
    return named!;
  };
  const skipSpace = () => {
    while (isSpace(source[i])) i++;
  };

  if (source.startsWith('<?xml', i)) {
    const end = source.indexOf('?>', i);
    if (end < 0) fail('unterminated XML declaration');
    i = end + 2;
  }
  skipSpace();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < source.length) {
    if (source[i] === '<') {
      if (source[i + 1] === '/') {
        i += 2;
        const name = readName();
        skipSpace();
        if (source[i] !== '>') fail('expected > after end tag name');
        i++;
        const open = stack.pop();
        if (!open || open.name !== name) fail(`end tag </${name}> does not match <${open?.name}>`);
        if (stack.length === 0) {
          skipSpace();
          if (i < source.length) fail('content after the root element');
        }
        continue;
      }
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
        continue;
      }
      i++;
      const el: XmlElement = { name: readName(), attrs: {}, children: [], text: '' };
      for (;;) {
        const hadSpace = isSpace(source[i]);
        skipSpace();
        if (source[i] === '/' && source[i + 1] === '>') {
          i += 2;
          break;
        }
        if (source[i] === '>') {
          i++;
          stack.push(el);
          break;
        }
        if (!hadSpace) fail('attributes must be separated by white space');
        const attr = readName();
        if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
        skipSpace();
        if (source[i] !== '=') fail(`expected = after ${attr}`);
        i++;
        skipSpace();
        const quote = source[i];
        if (quote !== '"' && quote !== "'") fail('attribute value must be quoted');
        i++;
        let value = '';
        while (source[i] !== quote) {
          if (i >= source.length) fail('unterminated attribute value');
          if (source[i] === '<') fail('"<" in attribute value');
          if (source[i] === '&') value += readEntity();
          else value += source[i++];
        }
        i++;
        el.attrs[attr] = value;
      }
      const parent = stack[stack.length - (stack[stack.length - 1] === el ? 2 : 1)];
      if (parent) parent.children.push(el);
      else if (root) fail('more than one root element');
      else root = el;
      if (!stack.includes(el) && !parent) {
        // a self-closing root
        skipSpace();
        if (i < source.length) fail('content after the root element');
      }
      continue;
    }
    // character data
    const top = stack[stack.length - 1];
    if (!top) {
      if (isSpace(source[i])) {
        i++;
        continue;
      }
      fail('text outside the root element');
    }
    if (source[i] === '&') top!.text += readEntity();
    else if (source[i] === '>' && source.startsWith(']]>', i - 2)) fail('"]]>" in text');
    else top!.text += source[i++];
  }
  if (stack.length > 0) fail(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) fail('no root element');
  return root!;
}

/** Every element in document order. */
export function walk(el: XmlElement, out: XmlElement[] = []): XmlElement[] {
  out.push(el);
  for (const c of el.children) walk(c, out);
  return out;
}
