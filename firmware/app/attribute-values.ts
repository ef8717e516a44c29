// Attribute value types of the application model and the checks on values: coercion of an incoming write to the
// declared type (the device-side counterpart of OpenRemote's coercion, openremote.md §4.5), optional range / enum /
// custom validators, and structural equality for change detection (OpenRemote forwards only changed values, §4.5).
import type { AttributeValue } from '../openremote/mqtt-api';

export type { AttributeValue };

export type AttributeType = 'number' | 'boolean' | 'text' | 'json';

/** The TypeScript type of a value of each attribute type. */
export type ValueOf<T extends AttributeType> = T extends 'number' ? number : T extends 'boolean' ? boolean : T extends 'text' ? string : AttributeValue;

/** The optional value rules an incoming write must also pass (the declared type is always checked). */
export interface ValueRules<V> {
  /** number: inclusive bounds. */
  min?: number;
  max?: number;
  /** number: only integers. */
  integer?: boolean;
  /** text: at most this many UTF-16 code units. */
  maxLength?: number;
  /** number / text: the only accepted values. */
  oneOf?: readonly V[];
  /** Anything else: return a reason to refuse the value, undefined to accept it. */
  validate?(value: V): string | undefined;
}

export type Checked<V> = { ok: true; value: V } | { ok: false; reason: string };

/**
 * Converts a JSON value from OpenRemote to the declared type. OpenRemote has already coerced it to the cloud
 * attribute's type (§4.5); this catches a cloud model whose type differs from the firmware's. Rules: number from a
 * finite JSON number or a numeric string (what Jackson accepts); boolean from true/false only (also the strings
 * "true"/"false", which Jackson maps the same way), never from 0/1; text from a string only; json takes any value.
 * null is refused: it clears the attribute in OpenRemote, it is not a state the device can apply.
 */
export function coerce(type: AttributeType, raw: AttributeValue): Checked<AttributeValue> {
  if (raw === null) return { ok: false, reason: 'null is not a value the device can apply' };
  switch (type) {
    case 'json':
      return finiteJson(raw) ? { ok: true, value: raw } : { ok: false, reason: 'contains a non-finite number' };
    case 'number':
      if (typeof raw === 'number') return Number.isFinite(raw) ? { ok: true, value: raw } : { ok: false, reason: 'not a finite number' };
      if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return { ok: true, value: Number(raw) };
      return { ok: false, reason: `expected a number, got ${describe(raw)}` };
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (raw === 'true' || raw === 'false') return { ok: true, value: raw === 'true' };
      return { ok: false, reason: `expected true or false, got ${describe(raw)}` };
    case 'text':
      return typeof raw === 'string' ? { ok: true, value: raw } : { ok: false, reason: `expected a string, got ${describe(raw)}` };
  }
}

/** Whether a value the firmware itself produced has the declared type (no coercion: a bug must not be hidden). */
export function hasType(type: AttributeType, value: unknown): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'text':
      return typeof value === 'string';
    case 'json':
      return value !== undefined && finiteJson(value as AttributeValue);
  }
}

/** Applies the optional rules; the first failing rule gives the reason. */
export function checkRules(type: AttributeType, rules: ValueRules<AttributeValue>, value: AttributeValue): Checked<AttributeValue> {
  if (type === 'number' && typeof value === 'number') {
    if (rules.integer && !Number.isInteger(value)) return { ok: false, reason: 'not an integer' };
    if (rules.min !== undefined && value < rules.min) return { ok: false, reason: `below the minimum ${rules.min}` };
    if (rules.max !== undefined && value > rules.max) return { ok: false, reason: `above the maximum ${rules.max}` };
  }
  if (type === 'text' && typeof value === 'string' && rules.maxLength !== undefined && value.length > rules.maxLength) {
    return { ok: false, reason: `longer than ${rules.maxLength} characters` };
  }
  if (rules.oneOf && !rules.oneOf.some((v) => jsonEqual(v, value))) return { ok: false, reason: 'not one of the allowed values' };
  if (rules.validate) {
    let reason: string | undefined;
    try {
      reason = rules.validate(value);
    } catch (e) {
      reason = `validator threw: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (reason !== undefined) return { ok: false, reason };
  }
  return { ok: true, value };
}

/** Structural equality of JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** A short, bounded rendering of a value for log lines (never used for secret attributes). */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function finiteJson(value: AttributeValue): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object') return typeof value !== 'undefined';
  if (Array.isArray(value)) return value.every(finiteJson);
  return Object.keys(value).every((k) => finiteJson(value[k]));
}

function describe(value: AttributeValue): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
