// The provisioning endpoint table: names, kinds and BLE 16-bit ids (unified-provisioning.md §1.2). Transports
// consume the ordered list (BLE derives characteristic UUIDs from the ids; HTTP serves POST /<name>).
// Custom endpoints get 0xFF54, 0xFF55, … in creation order, as wifi_prov_mgr_endpoint_create does.
import type { EndpointKind } from '../protocomm/types';

export interface ProvEndpoint {
  readonly name: string;
  readonly kind: EndpointKind;
  /** Bytes 12–13 of the characteristic UUID, little-endian on the wire (§9.1). */
  readonly bleId: number;
}

export const EP_CTRL = 'prov-ctrl';
export const EP_SCAN = 'prov-scan';
export const EP_SESSION = 'prov-session';
export const EP_CONFIG = 'prov-config';
export const EP_VERSION = 'proto-ver';

/** The five standard endpoints in BLE id order (the order IDF's GATT table uses). */
export const STANDARD_ENDPOINTS: readonly ProvEndpoint[] = Object.freeze([
  Object.freeze({ name: EP_CTRL, kind: 'request' as const, bleId: 0xff4f }),
  Object.freeze({ name: EP_SCAN, kind: 'request' as const, bleId: 0xff50 }),
  Object.freeze({ name: EP_SESSION, kind: 'session' as const, bleId: 0xff51 }),
  Object.freeze({ name: EP_CONFIG, kind: 'request' as const, bleId: 0xff52 }),
  Object.freeze({ name: EP_VERSION, kind: 'version' as const, bleId: 0xff53 }),
]);

const FIRST_CUSTOM_ID = 0xff54;
const LAST_CUSTOM_ID = 0xffff;

export class EndpointTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointTableError';
  }
}

/** Endpoint names must work as an HTTP path segment and a 0x2901 description: 1..32 chars of [A-Za-z0-9._-].
 * (IDF does not check; a space or '/' in a name would make the HTTP URI unusable.) */
export function isValidEndpointName(name: string): boolean {
  return typeof name === 'string' && /^[A-Za-z0-9._-]{1,32}$/.test(name);
}

export class EndpointTable {
  private readonly custom: ProvEndpoint[] = [];

  /** Reserves the next BLE id for an application endpoint (wifi_prov_mgr_endpoint_create). */
  create(name: string): ProvEndpoint {
    if (!isValidEndpointName(name)) throw new EndpointTableError(`invalid endpoint name "${String(name)}"`);
    if (this.find(name)) throw new EndpointTableError(`endpoint "${name}" already exists`);
    const bleId = FIRST_CUSTOM_ID + this.custom.length;
    if (bleId > LAST_CUSTOM_ID) throw new EndpointTableError('no BLE ids left for custom endpoints');
    const ep = Object.freeze({ name, kind: 'request' as const, bleId });
    this.custom.push(ep);
    return ep;
  }

  find(name: string): ProvEndpoint | undefined {
    return STANDARD_ENDPOINTS.find((e) => e.name === name) ?? this.custom.find((e) => e.name === name);
  }

  isCustom(name: string): boolean {
    return this.custom.some((e) => e.name === name);
  }

  customNames(): string[] {
    return this.custom.map((e) => e.name);
  }

  /** Standard endpoints first (0xFF4F..0xFF53), then custom ones in creation order. */
  list(): readonly ProvEndpoint[] {
    return [...STANDARD_ENDPOINTS, ...this.custom];
  }
}
