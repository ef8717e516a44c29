// MQTT UTF-8 strings and topic rules (MQTT 3.1.1 §1.5.3 UTF-8 encoded strings, §4.7 topic names and filters).
// Encoding/decoding goes through firmware/util/bytes.ts; pure-ASCII text (every OpenRemote topic) takes a direct
// path because it is the hot case and byte == char there.
import { utf8Decode, utf8Encode } from '../util/bytes';
import { MqttError } from './packets';

/** UTF-8 bytes of `text`. Lone surrogates cannot be encoded as well-formed UTF-8 (§1.5.3): FIELD_RANGE. */
export function encodeString(text: string): Uint8Array {
  const n = text.length;
  // One pass for the common all-ASCII case: copy while checking; fall back on the first non-ASCII unit.
  const ascii = new Uint8Array(n);
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) break;
    if (c === 0) throw new MqttError('INVALID_UTF8', 'U+0000 is not allowed in an MQTT string (§1.5.3)');
    ascii[i] = c;
  }
  if (i === n) return ascii;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) throw new MqttError('INVALID_UTF8', 'U+0000 is not allowed in an MQTT string (§1.5.3)');
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) throw new MqttError('INVALID_UTF8', 'lone surrogate in MQTT string');
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw new MqttError('INVALID_UTF8', 'lone surrogate in MQTT string');
    }
  }
  return utf8Encode(text);
}

/**
 * Decodes bytes[start, end) as an MQTT string, or returns undefined if they are not well-formed UTF-8 (overlong
 * forms, surrogates, code points above U+10FFFF) or contain U+0000 — both MUST close the connection (§1.5.3).
 */
export function decodeString(bytes: Uint8Array, start: number, end: number): string | undefined {
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b === 0) return undefined;
    if (b >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    if (end - start <= 64) {
      let out = '';
      for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]);
      return out;
    }
    // Bounded slices keep the argument count of apply() small for long strings.
    let out = '';
    for (let i = start; i < end; i += 1024) {
      out += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 1024)) as unknown as number[]);
    }
    return out;
  }
  if (!isWellFormedUtf8(bytes, start, end)) return undefined;
  return utf8Decode(bytes.subarray(start, end));
}

function isWellFormedUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  // Unicode Table 3-7 (well-formed byte sequences); also rejects U+0000.
  let i = start;
  while (i < end) {
    const b = bytes[i];
    if (b < 0x80) {
      if (b === 0) return false;
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return false;
    if (i + need >= end) return false; // truncated sequence
    const second = bytes[i + 1];
    if (second < lo || second > hi) return false;
    for (let k = 2; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return false;
    i += need + 1;
  }
  return true;
}

/** Checks a topic name for PUBLISH or a will (§4.7.3, §3.3.2.1): non-empty, within the limit, no wildcards. */
export function topicNameError(topic: string, byteLength: number, maxTopicLength: number): MqttError | undefined {
  if (byteLength === 0) return new MqttError('TOPIC_EMPTY', 'topic name must not be empty (§4.7.3)');
  if (byteLength > maxTopicLength) return new MqttError('TOPIC_TOO_LONG', `topic is ${byteLength} bytes, limit ${maxTopicLength}`);
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === 0x2b || c === 0x23) return new MqttError('TOPIC_WILDCARD', 'wildcards are not allowed in a topic name (§3.3.2.1)');
  }
  return undefined;
}

/** Checks a topic filter for SUBSCRIBE/UNSUBSCRIBE (§4.7.1): '#' alone in the last level, '+' alone in its level. */
export function topicFilterError(filter: string, byteLength: number, maxTopicLength: number): MqttError | undefined {
  if (byteLength === 0) return new MqttError('TOPIC_EMPTY', 'topic filter must not be empty (§4.7.3)');
  if (byteLength > maxTopicLength) return new MqttError('TOPIC_TOO_LONG', `topic filter is ${byteLength} bytes, limit ${maxTopicLength}`);
  const n = filter.length;
  for (let i = 0; i < n; i++) {
    const c = filter.charCodeAt(i);
    if (c !== 0x2b && c !== 0x23) continue;
    const levelStart = i === 0 || filter.charCodeAt(i - 1) === 0x2f;
    const levelEnd = i === n - 1 || filter.charCodeAt(i + 1) === 0x2f;
    if (!levelStart || !levelEnd) return new MqttError('INVALID_TOPIC_FILTER', 'a wildcard must occupy a whole topic level (§4.7.1)');
    if (c === 0x23 && i !== n - 1) return new MqttError('INVALID_TOPIC_FILTER', "'#' must be the last level (§4.7.1.2)");
  }
  return undefined;
}

/** Whether a topic name matches a filter (§4.7.1-2). Topics starting with '$' never match a leading wildcard. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.charCodeAt(0) === 0x24 && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true; // also matches the parent level: "a/#" matches "a" (§4.7.1.2)
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
