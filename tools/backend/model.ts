// Asset model of the dev backend: asset types chosen by the device's modelName, attribute descriptors with the
// access meta OpenRemote uses (accessRestrictedRead/Write, userConnected), and value coercion to the attribute type.
// Implements openremote.md §3.1 (asset type from modelName), §3.3 (backend checklist), §4.5 (coercion), §4.6.

export type ValueType = 'number' | 'boolean' | 'text' | 'json';

export interface AttributeMeta {
  /** A restricted user (the device's service user) receives events for / may read this attribute (§4.5, §4.8). */
  accessRestrictedRead?: boolean;
  /** A restricted user may write this attribute over MQTT (§4.5, §4.8). */
  accessRestrictedWrite?: boolean;
  /** When true, the asset's service username is put here at provisioning and the broker keeps the attribute
   * true while that user has a live MQTT connection (OpenRemote ConnectionMonitorHandler, §4.6). */
  userConnected?: boolean;
}

export interface AttributeDescriptor {
  type: ValueType;
  meta?: AttributeMeta;
}

export interface AssetModel {
  /** The OpenRemote asset type name (informational, returned by GET asset). */
  assetType: string;
  attributes: Record<string, AttributeDescriptor>;
  /** Optional Android-style `properties` returned by /rest/device and forwarded to the device (§1.2, §3.2). */
  properties?: Record<string, string>;
}

/** The default model table: "or-demo" is what the simulated device reports as its model_name. */
export const DEFAULT_MODELS: Record<string, AssetModel> = {
  'or-demo': {
    assetType: 'ThingAsset',
    attributes: {
      temperature: { type: 'number', meta: { accessRestrictedRead: true, accessRestrictedWrite: true } },
      switch: { type: 'boolean', meta: { accessRestrictedRead: true, accessRestrictedWrite: true } },
      firmwareVersion: { type: 'text', meta: { accessRestrictedRead: true, accessRestrictedWrite: true } },
      rssi: { type: 'number', meta: { accessRestrictedRead: true, accessRestrictedWrite: true } },
      uptime: { type: 'number', meta: { accessRestrictedRead: true, accessRestrictedWrite: true } },
      // Written by the broker only (§4.6): readable by the device, not writable by it.
      connected: { type: 'boolean', meta: { accessRestrictedRead: true, userConnected: true } },
    },
  },
};

export type Coerced = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Converts a JSON value to the attribute's type the way OpenRemote's Jackson-based ValueUtil.convert does for the
 * common cases (§4.5 "values are coerced to the attribute's type; if that fails, the event is rejected"):
 * null always passes (it clears the value); numeric strings become numbers; "true"/"false" and 0/1 become
 * booleans; numbers and booleans become text. Objects and arrays only fit `json`. This is an approximation of
 * Jackson's scalar coercion, not a copy of it.
 */
export function coerceValue(type: ValueType, value: unknown): Coerced {
  if (value === null) return { ok: true, value: null };
  switch (type) {
    case 'json':
      return { ok: true, value };
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return { ok: true, value: Number(value) };
      return { ok: false, reason: `cannot convert ${describe(value)} to number` };
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
      if (value === 0 || value === 1) return { ok: true, value: value === 1 };
      return { ok: false, reason: `cannot convert ${describe(value)} to boolean` };
    case 'text':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return { ok: false, reason: `cannot convert ${describe(value)} to text` };
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Structural equality of JSON values: "only value CHANGES are forwarded" (§4.5, AssetFilter valueChanged). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Validates a user-supplied model table (from a config file) and throws a clear error on the first problem. */
export function validateModels(models: unknown): Record<string, AssetModel> {
  if (typeof models !== 'object' || models === null || Array.isArray(models)) throw new TypeError('models must be an object');
  for (const [name, model] of Object.entries(models as Record<string, unknown>)) {
    const m = model as Partial<AssetModel>;
    if (typeof m !== 'object' || m === null || typeof m.assetType !== 'string' || typeof m.attributes !== 'object' || m.attributes === null) {
      throw new TypeError(`model ${name}: needs assetType (string) and attributes (object)`);
    }
    for (const [attr, d] of Object.entries(m.attributes)) {
      if (!['number', 'boolean', 'text', 'json'].includes((d as AttributeDescriptor)?.type)) throw new TypeError(`model ${name}: attribute ${attr} has no valid type`);
      if (attr.includes('/') || attr.includes('+') || attr.includes('#') || attr === '') throw new TypeError(`model ${name}: attribute name ${JSON.stringify(attr)} cannot appear in a topic`);
    }
  }
  return models as Record<string, AssetModel>;
}
