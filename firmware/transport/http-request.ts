// Incremental HTTP/1.1 request-head parser for the SoftAP provisioning server (unified-provisioning.md §9.2).
// Byte-at-a-time state machine with hard bounds (line length, head size, header count), so a slow or hostile
// client costs O(bytes) CPU and a fixed amount of memory; it never buffers an unbounded head.

export interface HttpHeadLimits {
  /** Longest request line or header line, without its line ending. */
  maxLineBytes: number;
  /** Whole head including line endings (and any empty lines before the request line). */
  maxHeadBytes: number;
  maxHeaders: number;
}

export const DEFAULT_HEAD_LIMITS: HttpHeadLimits = Object.freeze({ maxLineBytes: 1024, maxHeadBytes: 8192, maxHeaders: 32 });

export interface HttpHeader {
  /** Lower-cased field name. */
  name: string;
  /** Field value with surrounding spaces/tabs removed; bytes are Latin-1 characters. */
  value: string;
}

export interface RequestHead {
  method: string;
  target: string;
  version: string;
  headers: HttpHeader[];
}

/** Status codes the parser can ask the server to answer with before closing. */
export type HeadErrorStatus = 400 | 414 | 431 | 505;

export type HeadOutcome = { head: RequestHead } | { error: HeadErrorStatus; reason: string };

const CR = 13;
const LF = 10;
const SP = 32;
const HT = 9;

// RFC 9110 §5.6.2 tchar.
function isTokenChar(c: number): boolean {
  if (c >= 48 && c <= 57) return true; // 0-9
  if (c >= 65 && c <= 90) return true; // A-Z
  if (c >= 97 && c <= 122) return true; // a-z
  return "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) >= 0;
}

function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isTokenChar(text.charCodeAt(i))) return false;
  return true;
}

export class RequestHeadParser {
  private readonly line: Uint8Array;
  private lineLength = 0;
  private sawCR = false;
  private headBytes = 0;
  private requestLine: { method: string; target: string; version: string } | undefined;
  private headers: HttpHeader[] = [];

  constructor(private readonly limits: HttpHeadLimits = DEFAULT_HEAD_LIMITS) {
    this.line = new Uint8Array(limits.maxLineBytes);
  }

  /** True once any byte of the current request has been seen (starts the request timeout). */
  get started(): boolean {
    return this.headBytes > 0;
  }

  reset(): void {
    this.line.fill(0);
    this.lineLength = 0;
    this.sawCR = false;
    this.headBytes = 0;
    this.requestLine = undefined;
    this.headers = [];
  }

  /** Consumes bytes from data[offset..]; stops right after the head's final empty line or at the first error.
   * Returns how many bytes were consumed and, when the head is complete or invalid, the outcome. After an outcome
   * the parser must be reset() before it is fed again. */
  feed(data: Uint8Array, offset = 0): { consumed: number; outcome?: HeadOutcome } {
    let i = offset;
    while (i < data.length) {
      const b = data[i++];
      this.headBytes++;
      if (this.headBytes > this.limits.maxHeadBytes) {
        return { consumed: i - offset, outcome: { error: 431, reason: 'request head too large' } };
      }
      if (this.sawCR) {
        // A CR must be followed by LF; a bare CR inside a line is a classic request-smuggling vector.
        if (b !== LF) return { consumed: i - offset, outcome: { error: 400, reason: 'bare CR' } };
        this.sawCR = false;
        const outcome = this.endLine();
        if (outcome) return { consumed: i - offset, outcome };
        continue;
      }
      if (b === CR) {
        this.sawCR = true;
        continue;
      }
      if (b === LF) {
        // Lenient: a lone LF ends a line too (RFC 9112 §2.2 allows recipients to accept it).
        const outcome = this.endLine();
        if (outcome) return { consumed: i - offset, outcome };
        continue;
      }
      if ((b < SP && b !== HT) || b === 127) {
        return { consumed: i - offset, outcome: { error: 400, reason: 'control character in head' } };
      }
      if (this.lineLength >= this.line.length) {
        // An over-long request line means an over-long URI (esp_http_server answers 414 as well).
        return this.requestLine
          ? { consumed: i - offset, outcome: { error: 431, reason: 'header line too long' } }
          : { consumed: i - offset, outcome: { error: 414, reason: 'request line too long' } };
      }
      this.line[this.lineLength++] = b;
    }
    return { consumed: i - offset };
  }

  private endLine(): HeadOutcome | undefined {
    let text = '';
    for (let i = 0; i < this.lineLength; i++) text += String.fromCharCode(this.line[i]);
    const empty = this.lineLength === 0;
    this.lineLength = 0;
    if (!this.requestLine) {
      // RFC 9112 §2.2: ignore empty lines before the request line (they still count toward maxHeadBytes).
      if (empty) return undefined;
      return this.parseRequestLine(text);
    }
    if (empty) {
      return { head: { ...this.requestLine, headers: this.headers } };
    }
    return this.parseHeaderLine(text);
  }

  private parseRequestLine(text: string): HeadOutcome | undefined {
    const parts = text.split(' ');
    if (parts.length !== 3) return { error: 400, reason: 'malformed request line' };
    const [method, target, version] = parts;
    if (!isToken(method)) return { error: 400, reason: 'malformed method' };
    if (target.length === 0) return { error: 400, reason: 'empty request target' };
    for (let i = 0; i < target.length; i++) {
      const c = target.charCodeAt(i);
      if (c <= SP || c >= 127) return { error: 400, reason: 'invalid character in request target' };
    }
    if (!/^HTTP\/[0-9]\.[0-9]$/.test(version)) return { error: 400, reason: 'malformed HTTP version' };
    // esp_http_server serves HTTP/1.1 only and answers anything else with 505; esp_prov and the phone apps send 1.1.
    if (version !== 'HTTP/1.1') return { error: 505, reason: 'unsupported HTTP version' };
    this.requestLine = { method, target, version };
    return undefined;
  }

  private parseHeaderLine(text: string): HeadOutcome | undefined {
    const first = text.charCodeAt(0);
    if (first === SP || first === HT) return { error: 400, reason: 'obsolete header line folding' };
    const colon = text.indexOf(':');
    if (colon <= 0) return { error: 400, reason: 'malformed header line' };
    const name = text.slice(0, colon);
    // RFC 9112 §5.1: no whitespace between the field name and the colon.
    if (!isToken(name)) return { error: 400, reason: 'malformed header name' };
    if (this.headers.length >= this.limits.maxHeaders) return { error: 431, reason: 'too many header fields' };
    let start = colon + 1;
    let end = text.length;
    while (start < end && (text.charCodeAt(start) === SP || text.charCodeAt(start) === HT)) start++;
    while (end > start && (text.charCodeAt(end - 1) === SP || text.charCodeAt(end - 1) === HT)) end--;
    this.headers.push({ name: name.toLowerCase(), value: text.slice(start, end) });
    return undefined;
  }
}

/** All values of one header field (name in lower case), in order of appearance. */
export function headerValues(head: RequestHead, name: string): string[] {
  const out: string[] = [];
  for (const h of head.headers) if (h.name === name) out.push(h.value);
  return out;
}

export type BodyFraming =
  | { kind: 'length'; length: number }
  | { kind: 'missing' } // no Content-Length (protocomm requires it)
  | { kind: 'chunked' } // any Transfer-Encoding: not supported, as in esp_http_server + protocomm_httpd
  | { kind: 'invalid' }; // unparsable or conflicting Content-Length

/** Request body framing from the head (RFC 9112 §6). Lengths above `tooLarge` are reported as `tooLarge` so a
 * 30-digit Content-Length never becomes a float. */
export function bodyFraming(head: RequestHead, tooLarge: number): BodyFraming {
  if (headerValues(head, 'transfer-encoding').length > 0) return { kind: 'chunked' };
  const values = headerValues(head, 'content-length');
  if (values.length === 0) return { kind: 'missing' };
  let length: number | undefined;
  for (const v of values) {
    if (!/^[0-9]+$/.test(v)) return { kind: 'invalid' };
    const digits = v.replace(/^0+(?=.)/, '');
    const n = digits.length > 9 ? tooLarge : Math.min(Number(digits), tooLarge);
    // Repeated Content-Length fields must agree (RFC 9112 §6.3 item 5).
    if (length !== undefined && length !== n) return { kind: 'invalid' };
    length = n;
  }
  return { kind: 'length', length: length as number };
}

/** True when a Connection header lists the `close` option. */
export function wantsClose(head: RequestHead): boolean {
  for (const v of headerValues(head, 'connection')) {
    for (const option of v.split(',')) if (option.trim().toLowerCase() === 'close') return true;
  }
  return false;
}
