// Protocomm over BLE GATT (unified-provisioning.md §9.1; checklist §13 item 8): one primary service, one Read|Write
// characteristic per endpoint (UUID = service UUID with bytes 12..13 = endpoint id) named by a 0x2901 descriptor.
// A write runs Protocomm.handle and the response becomes that characteristic's value; the client reads it back.
// NimBLE behaviour where the reference stacks differ: empty writes ignored, handler error = ATT 0x04, link stays up.
import { ATT_ERR, GATT_PROP, WRITE_PENDING, type BlePeripheralHost, type GattHandles } from '../host/ble';
import type { Protocomm } from '../protocomm/types';
import { asciiEncode } from '../util/bytes';
import type { Logger } from '../util/log';
import { buildAdvertisingData, buildScanResponse } from './ble-adv';
import { characteristicUuid128, DEFAULT_SERVICE_UUID, parseUuid128 } from './ble-uuid';

/** 16-bit ids of the endpoints the provisioning manager creates (§1.2); custom endpoints follow from 0xFF54. */
export const STANDARD_ENDPOINT_IDS: Readonly<Record<string, number>> = Object.freeze({
  'prov-ctrl': 0xff4f,
  'prov-scan': 0xff50,
  'prov-session': 0xff51,
  'prov-config': 0xff52,
  'proto-ver': 0xff53,
});
export const FIRST_CUSTOM_ENDPOINT_ID = 0xff54;

/** The reference's ceiling for a standard endpoint message (ATT attribute maximum; NimBLE caps at 512, §9.1). */
export const STANDARD_MAX_MESSAGE = 512;
/** Default ceiling for custom endpoints. Beyond the reference (which truncates, field-notes.md §2 item 5): a custom
 * endpoint such as or-cfg may carry a few KB in one long write / long read. */
export const DEFAULT_CUSTOM_MAX_MESSAGE = 4096;
/** 0x100 units of 0.625 ms, as scheme_ble configures. */
export const DEFAULT_ADVERTISING_INTERVAL_MS = 160;
/** Largest ATT MTU we offer; the central's request decides (Android asks 512, iOS ~185). */
export const DEFAULT_PREFERRED_MTU = 517;

const CHARACTERISTIC_USER_DESCRIPTION = 0x2901;

export interface BleEndpoint {
  /** Exact protocomm endpoint name; also the 0x2901 descriptor text. */
  name: string;
  /** 16-bit id written into bytes 12..13 of the characteristic UUID. */
  id: number;
}

/** The endpoint list in the reference's order: prov-ctrl, prov-scan, prov-session, prov-config, proto-ver, then
 * custom endpoints in creation order with ids 0xFF54, 0xFF55, ... (§1.2, wifi_prov_mgr_endpoint_create). */
export function provisioningEndpoints(customNames: string[] = []): BleEndpoint[] {
  const list: BleEndpoint[] = Object.keys(STANDARD_ENDPOINT_IDS).map((name) => ({ name, id: STANDARD_ENDPOINT_IDS[name] }));
  customNames.forEach((name, i) => list.push({ name, id: FIRST_CUSTOM_ENDPOINT_ID + i }));
  return list;
}

export interface BleTransportOptions {
  host: BlePeripheralHost;
  protocomm: Protocomm;
  logger: Logger;
  /** Ordered endpoint list; the GATT table follows this order. */
  endpoints: BleEndpoint[];
  /** Complete Local Name, 1..29 UTF-8 bytes (see defaultDeviceName in ble-uuid). */
  deviceName: string;
  /** Canonical 128-bit service UUID text; default 1775244d-6b43-439b-877c-060f2d9bed07. */
  serviceUuid?: string;
  /** Raw manufacturer data (company id first); truncated to fit the scan response as the reference does. */
  manufacturerData?: Uint8Array;
  /** Message ceiling (request and response) for custom endpoints (ids >= 0xFF54); >= 512. */
  customMaxMessage?: number;
  preferredMtu?: number;
  advertisingIntervalMs?: number;
}

interface EndpointSlot {
  name: string;
  maxLength: number;
  /** The last response; what a Read returns. Empty until the first answered write. */
  value: Uint8Array;
}

interface Link {
  connection: number;
  /** Keyed by characteristic value handle. */
  slots: Map<number, EndpointSlot>;
  /** A write whose protocomm reply has not arrived yet (blocking scan). */
  pendingWrite: boolean;
}

export class BleTransport {
  private readonly host: BlePeripheralHost;
  private readonly protocomm: Protocomm;
  private readonly log: Logger;
  private readonly endpoints: { name: string; id: number; maxLength: number }[];
  private readonly serviceUuid: Uint8Array;
  private readonly advertisingData: Uint8Array;
  private readonly scanResponse: Uint8Array;
  private readonly deviceName: string;
  private readonly preferredMtu: number;
  private readonly advertisingIntervalMs: number;
  private handles: GattHandles | undefined;
  private valueHandles: number[] = [];
  private link: Link | undefined;
  private state: 'idle' | 'running' | 'stopped' = 'idle';

  constructor(options: BleTransportOptions) {
    this.host = options.host;
    this.protocomm = options.protocomm;
    this.log = options.logger;
    const uuidText = options.serviceUuid ?? DEFAULT_SERVICE_UUID;
    const uuid = parseUuid128(uuidText);
    if (!uuid) throw new RangeError(`invalid service UUID: ${uuidText}`);
    this.serviceUuid = uuid;
    const customMax = options.customMaxMessage ?? DEFAULT_CUSTOM_MAX_MESSAGE;
    // ATT offsets (Read Blob, Prepare Write) are 16-bit, so no attribute can be longer than 65535 bytes.
    if (!Number.isInteger(customMax) || customMax < STANDARD_MAX_MESSAGE || customMax > 0xffff) {
      throw new RangeError(`customMaxMessage must be ${STANDARD_MAX_MESSAGE}..65535`);
    }
    this.endpoints = validateEndpoints(options.endpoints).map((e) => ({
      ...e,
      maxLength: e.id >= FIRST_CUSTOM_ENDPOINT_ID ? customMax : STANDARD_MAX_MESSAGE,
    }));
    this.deviceName = options.deviceName;
    const scan = buildScanResponse(options.deviceName, options.manufacturerData);
    if (options.manufacturerData && scan.manufacturerBytes < options.manufacturerData.length) {
      this.log.warn(`manufacturer data truncated from ${options.manufacturerData.length} to ${scan.manufacturerBytes} bytes to fit the scan response`);
    }
    this.scanResponse = scan.data;
    this.advertisingData = buildAdvertisingData(uuid);
    this.preferredMtu = options.preferredMtu ?? DEFAULT_PREFERRED_MTU;
    this.advertisingIntervalMs = options.advertisingIntervalMs ?? DEFAULT_ADVERTISING_INTERVAL_MS;
  }

  /** Registers the GATT table and starts advertising. */
  start(): void {
    if (this.state !== 'idle') throw new Error(`BLE transport cannot start: ${this.state}`);
    const characteristics = this.endpoints.map((e) => ({
      uuid128: characteristicUuid128(this.serviceUuid, e.id),
      properties: GATT_PROP.READ | GATT_PROP.WRITE,
      maxLength: e.maxLength,
      descriptors: [{ uuid16: CHARACTERISTIC_USER_DESCRIPTION, value: asciiEncode(e.name) }],
    }));
    this.handles = this.host.start(
      { services: [{ uuid128: this.serviceUuid, characteristics }], deviceName: this.deviceName, preferredMtu: this.preferredMtu },
      {
        onConnect: (connection) => this.onConnect(connection),
        onDisconnect: (connection, reason) => this.onDisconnect(connection, reason),
        onMtu: (connection, mtu) => this.log.debug(`conn ${connection}: ATT MTU ${mtu}`),
        onWrite: (connection, handle, data) => this.onWrite(connection, handle, data),
        onRead: (connection, handle, offset) => this.onRead(connection, handle, offset),
      },
    );
    this.valueHandles = this.handles.characteristics[0].map((c) => c.value);
    if (this.valueHandles.length !== this.endpoints.length) throw new Error('BLE host returned a wrong handle table');
    this.state = 'running';
    this.advertise();
    this.log.info(`BLE provisioning service up as "${this.deviceName}" with ${this.endpoints.length} endpoints`);
  }

  /** Ends any link (wiping the secure session), stops advertising and releases the BLE stack (host.stop()). */
  stop(): void {
    if (this.state !== 'running') return;
    this.state = 'stopped';
    if (this.link) this.closeLink(this.link.connection);
    this.host.stop();
    this.log.info('BLE provisioning transport stopped, stack released');
  }

  /** Value handles in endpoint order (diagnostics and tests). */
  endpointHandles(): { name: string; valueHandle: number }[] {
    return this.endpoints.map((e, i) => ({ name: e.name, valueHandle: this.valueHandles[i] }));
  }

  private advertise(): void {
    this.host.startAdvertising(this.advertisingData, this.scanResponse, this.advertisingIntervalMs);
  }

  private onConnect(connection: number): void {
    if (this.state !== 'running') return;
    // The host refuses a second central while one is connected; if it still reports one, the newest link wins,
    // as protocomm's new_transport_session closes any previous session (§1.1).
    if (this.link) this.closeLink(this.link.connection);
    const slots = new Map<number, EndpointSlot>();
    this.endpoints.forEach((e, i) => slots.set(this.valueHandles[i], { name: e.name, maxLength: e.maxLength, value: new Uint8Array(0) }));
    this.link = { connection, slots, pendingWrite: false };
    this.protocomm.newTransportSession(connection);
    this.log.info(`central connected (conn ${connection})`);
  }

  private onDisconnect(connection: number, reason: number): void {
    if (!this.link || this.link.connection !== connection) return;
    this.closeLink(connection);
    this.log.info(`central disconnected (conn ${connection}, reason 0x${reason.toString(16)})`);
    // Advertising stops while connected and NimBLE does not resume it by itself (§9.1 "Advertising restarts").
    if (this.state === 'running') this.advertise();
  }

  /** Drops the link: wipes stored responses and closes the secure session. Provisioning state is not touched. */
  private closeLink(connection: number): void {
    const link = this.link;
    if (!link || link.connection !== connection) return;
    this.link = undefined;
    for (const slot of link.slots.values()) slot.value.fill(0);
    this.protocomm.closeTransportSession(connection);
  }

  private onWrite(connection: number, handle: number, data: Uint8Array): number {
    const link = this.link;
    if (!link || link.connection !== connection) return ATT_ERR.UNLIKELY_ERROR;
    const slot = link.slots.get(handle);
    if (!slot) return ATT_ERR.INVALID_HANDLE;
    // NimBLE's protocomm ignores an empty write and keeps the previous value (§9.1 "Request/response pattern").
    if (data.length === 0) return 0;
    // The host already refuses writes over maxLength (0x0D); checked again so no layer ever trusts another's bound
    // (field-notes.md §3.2, CVE-2026-25507).
    if (data.length > slot.maxLength) return ATT_ERR.INVALID_ATTRIBUTE_VALUE_LENGTH;
    // ATT allows one outstanding request per bearer, so a second write while one is deferred is a host bug.
    if (link.pendingWrite) return ATT_ERR.UNLIKELY_ERROR;

    let synchronous = true;
    let syncStatus = -1;
    let replied = false;
    const request = data.slice();
    link.pendingWrite = true;
    const reply = (response: Uint8Array | undefined): void => {
      if (replied) {
        this.log.error(`${slot.name}: reply called twice; ignored`);
        return;
      }
      replied = true;
      link.pendingWrite = false;
      // A reply that arrives after the link dropped (or a new central connected) is discarded: the new session
      // must never see a response computed for the old one.
      if (this.link !== link) return;
      const status = this.store(slot, response);
      if (synchronous) syncStatus = status;
      else this.host.completeWrite(connection, status);
    };
    try {
      this.protocomm.handle(slot.name, connection, request, reply);
    } catch (error) {
      // Protocomm.handle never throws by contract; if it does, answer like any handler error.
      this.log.error(`${slot.name}: protocomm threw: ${(error as Error).message}`);
      if (!replied) reply(undefined);
    }
    synchronous = false;
    if (syncStatus >= 0) return syncStatus;
    if (replied) return ATT_ERR.UNLIKELY_ERROR; // replied synchronously but the link went away meanwhile
    this.log.debug(`${slot.name}: response deferred`);
    return WRITE_PENDING;
  }

  /** Stores a response as the characteristic value; returns the ATT status for the Write Response. */
  private store(slot: EndpointSlot, response: Uint8Array | undefined): number {
    slot.value.fill(0);
    // On any failure the value becomes empty rather than keeping the previous response: a client that reads after
    // an error must not mistake a stale answer for this request's (Bluedroid's stale-value trap, §9.1).
    slot.value = new Uint8Array(0);
    if (response === undefined) {
      this.log.warn(`${slot.name}: no response (handler or security error); answering ATT 0x04`);
      return ATT_ERR.INVALID_PDU;
    }
    if (response.length > slot.maxLength) {
      this.log.error(`${slot.name}: response of ${response.length} bytes exceeds the ${slot.maxLength}-byte attribute; dropped`);
      return ATT_ERR.INVALID_PDU;
    }
    slot.value = response.slice();
    return 0;
  }

  private onRead(connection: number, handle: number, offset: number): Uint8Array | number {
    const link = this.link;
    if (!link || link.connection !== connection) return ATT_ERR.UNLIKELY_ERROR;
    const slot = link.slots.get(handle);
    if (!slot) return ATT_ERR.INVALID_HANDLE;
    if (!Number.isInteger(offset) || offset < 0 || offset > slot.value.length) return ATT_ERR.INVALID_OFFSET;
    return slot.value.slice(offset);
  }
}

function validateEndpoints(endpoints: BleEndpoint[]): BleEndpoint[] {
  if (endpoints.length === 0) throw new RangeError('BLE transport needs at least one endpoint');
  const names = new Set<string>();
  const ids = new Set<number>();
  for (const e of endpoints) {
    if (!e.name || names.has(e.name)) throw new RangeError(`endpoint name empty or duplicated: "${e.name}"`);
    if (!Number.isInteger(e.id) || e.id < 0 || e.id > 0xffff || ids.has(e.id)) throw new RangeError(`endpoint id invalid or duplicated: ${e.id}`);
    for (let i = 0; i < e.name.length; i++) {
      const c = e.name.charCodeAt(i);
      if (c < 0x21 || c > 0x7e) throw new RangeError(`endpoint name must be printable ASCII: "${e.name}"`);
    }
    names.add(e.name);
    ids.add(e.id);
  }
  return endpoints.map((e) => ({ name: e.name, id: e.id }));
}
