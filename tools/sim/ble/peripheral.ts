// Simulated BLE peripheral: implements the firmware's BlePeripheralHost seam (firmware/host/ble.ts) on a modelled
// NimBLE link. One central at a time; each central PDU goes through the ATT server (att-server.ts); a modelled clock
// charges connection intervals and on-air bytes per ATT transaction. What it does not model: see tools/sim/README.md.
import { WRITE_PENDING, type BleCallbacks, type BlePeripheralHost, type GattHandles, type GattService } from '../../../firmware/host/ble';
import { ATT_DEFAULT_MTU, ATT_OP, opName } from './att';
import { AttServer } from './att-server';
import { buildGattDatabase, type GattDatabase } from './gatt-db';

/** HCI disconnect reasons (Core Vol 1 Part F). */
export const HCI_REASON = {
  CONNECTION_TIMEOUT: 0x08,
  REMOTE_USER_TERMINATED: 0x13,
  LOCAL_HOST_TERMINATED: 0x16,
} as const;

export interface SimBleOptions {
  /** The peripheral's public address, 6 bytes, most significant first as printed. Default 24:0a:c4:26:1f:cc. */
  address?: Uint8Array;
  /** Connection interval of the modelled link (ms). */
  connectionIntervalMs?: number;
  /** Connection intervals one ATT request/response pair costs (the response leaves in the next event). */
  intervalsPerTransaction?: number;
  /** Link-layer payload per packet: 27 (no Data Length Extension) or up to 251 (DLE). */
  llPayloadBytes?: number;
  /** Prepared-write queue entries per connection (NimBLE BLE_ATT_SVR_MAX_PREP_ENTRIES default 64). */
  maxPrepareEntries?: number;
  /** Sleep for the modelled time of each transaction instead of only counting it. */
  realTime?: boolean;
  /** First connection handle (NimBLE hands out the lowest free handle; with one central it is reused). */
  connectionHandle?: number;
  log?: (line: string) => void;
}

export interface LinkStats {
  /** ATT requests answered (responses or Error Responses). */
  transactions: number;
  /** ATT commands (no response). */
  commands: number;
  errorResponses: number;
  /** ATT PDU bytes central → peripheral and back (without L2CAP / LL headers). */
  attBytesToPeripheral: number;
  attBytesToCentral: number;
  /** Bytes on the air including L2CAP (4) and LL framing (preamble, access address, header, CRC: 10 per packet). */
  airBytes: number;
  /** Modelled link time (ms). */
  airTimeMs: number;
  byOpcode: Record<string, number>;
  /** Firmware callbacks that threw (a firmware bug; the ATT request got 0x0E). */
  firmwareExceptions: number;
}

export function emptyStats(): LinkStats {
  return { transactions: 0, commands: 0, errorResponses: 0, attBytesToPeripheral: 0, attBytesToCentral: 0, airBytes: 0, airTimeMs: 0, byOpcode: {}, firmwareExceptions: 0 };
}

export interface Advertisement {
  address: Uint8Array;
  advertisingData: Uint8Array;
  scanResponseData: Uint8Array;
  intervalMs: number;
  connectable: true;
}

type MaybePromise<T> = T | Promise<T>;
/** The firmware callbacks as seen from Node: under the XS bridge every call returns a Promise. */
type AsyncCallbacks = { [K in keyof BleCallbacks]: (...args: Parameters<BleCallbacks[K]>) => MaybePromise<ReturnType<BleCallbacks[K]>> };

export class LinkDownError extends Error {
  constructor(readonly reason: number) {
    super(`BLE link is down (reason 0x${reason.toString(16)})`);
    this.name = 'LinkDownError';
  }
}

const DEFAULT_ADDRESS = Uint8Array.from([0x24, 0x0a, 0xc4, 0x26, 0x1f, 0xcc]);

export class SimBlePeripheral implements BlePeripheralHost {
  readonly stats: LinkStats = emptyStats();
  readonly address: Uint8Array;
  private readonly options: Required<Omit<SimBleOptions, 'address' | 'log'>>;
  private readonly log: (line: string) => void;
  private state: 'off' | 'on' | 'released' = 'off';
  private db: GattDatabase | undefined;
  private callbacks: AsyncCallbacks | undefined;
  private preferredMtu = ATT_DEFAULT_MTU;
  private adv: Advertisement | undefined;
  private link: SimCentralLink | undefined;

  constructor(options: SimBleOptions = {}) {
    this.address = (options.address ?? DEFAULT_ADDRESS).slice();
    this.options = {
      connectionIntervalMs: options.connectionIntervalMs ?? 30,
      intervalsPerTransaction: options.intervalsPerTransaction ?? 1,
      llPayloadBytes: options.llPayloadBytes ?? 27,
      maxPrepareEntries: options.maxPrepareEntries ?? 64,
      realTime: options.realTime ?? false,
      connectionHandle: options.connectionHandle ?? 0,
    };
    this.log = options.log ?? (() => {});
  }

  // ---- BlePeripheralHost (called by the firmware) ----

  start(options: { services: GattService[]; deviceName: string; preferredMtu: number }, callbacks: BleCallbacks): GattHandles {
    if (this.state === 'released') throw new Error('BLE controller memory was released; restart the device to use BLE again');
    if (this.state === 'on') throw new Error('BLE host already started');
    this.db = buildGattDatabase(options.services, options.deviceName);
    this.callbacks = callbacks as unknown as AsyncCallbacks;
    this.preferredMtu = options.preferredMtu;
    this.state = 'on';
    return this.db.firmwareHandles;
  }

  startAdvertising(advertisingData: Uint8Array, scanResponseData: Uint8Array, intervalMs: number): void {
    if (this.state !== 'on') throw new Error('BLE host not started');
    if (advertisingData.length > 31 || scanResponseData.length > 31) throw new RangeError('legacy advertising payloads hold at most 31 bytes');
    if (this.link) {
      // One central at a time: NimBLE cannot advertise connectable with max_connections reached.
      this.log('startAdvertising ignored: a central is connected');
      return;
    }
    this.adv = { address: this.address.slice(), advertisingData: advertisingData.slice(), scanResponseData: scanResponseData.slice(), intervalMs, connectable: true };
  }

  stopAdvertising(): void {
    this.adv = undefined;
  }

  disconnect(connection: number): void {
    const link = this.link;
    if (!link || link.connection !== connection) return;
    // ble_gap_terminate: the link goes down now; the firmware's disconnect event follows later on its own task,
    // never re-entrantly inside the call that asked for it.
    this.dropLink(link, HCI_REASON.REMOTE_USER_TERMINATED);
    setImmediate(() => void this.notifyFirmwareDisconnect(connection, HCI_REASON.LOCAL_HOST_TERMINATED));
  }

  completeWrite(connection: number, status: number): void {
    const link = this.link;
    if (!link || link.connection !== connection) return; // link gone: the completion is discarded (contract)
    link.complete(status);
  }

  stop(): void {
    if (this.state !== 'on') return;
    if (this.link) this.dropLink(this.link, HCI_REASON.REMOTE_USER_TERMINATED);
    this.adv = undefined;
    this.state = 'released';
    this.callbacks = undefined;
  }

  // ---- the air (used by the link server and in-process tests) ----

  /** What a scanner sees, or undefined when not advertising. */
  advertisement(): Advertisement | undefined {
    return this.adv && { ...this.adv, address: this.adv.address.slice() };
  }

  isReleased(): boolean {
    return this.state === 'released';
  }

  /** A central connects to the advertising peripheral. Throws when not advertising (including: another central
   * is connected, since advertising stops on connect). */
  async connect(peerAddress: Uint8Array = randomAddress()): Promise<SimCentralLink> {
    if (this.state !== 'on' || !this.db || !this.callbacks) throw new Error('peripheral is not powered');
    if (this.link) throw new Error('peripheral is busy: one central at a time');
    if (!this.adv) throw new Error('peripheral is not advertising');
    this.adv = undefined;
    const callbacks = this.callbacks;
    const link = new SimCentralLink(this.options.connectionHandle, peerAddress.slice(), this, this.db, callbacks, this.preferredMtu, this.options.maxPrepareEntries);
    this.link = link;
    await this.callFirmware(() => callbacks.onConnect(link.connection, link.peerAddress.slice()));
    return link;
  }

  /** @internal the central ends the link. */
  async centralDisconnect(link: SimCentralLink, reason: number): Promise<void> {
    if (this.link !== link) return;
    this.dropLink(link, reason === HCI_REASON.CONNECTION_TIMEOUT ? reason : HCI_REASON.LOCAL_HOST_TERMINATED);
    await this.notifyFirmwareDisconnect(link.connection, reason);
  }

  /** The link goes down; `centralReason` is what the central's disconnection event reports. */
  private dropLink(link: SimCentralLink, centralReason: number): void {
    if (this.link === link) this.link = undefined;
    link.drop(centralReason);
  }

  private async notifyFirmwareDisconnect(connection: number, reason: number): Promise<void> {
    const callbacks = this.callbacks;
    if (!callbacks || this.state !== 'on') return;
    await this.callFirmware(() => callbacks.onDisconnect(connection, reason));
  }

  /** @internal runs a firmware callback; a throw is a firmware bug, logged and counted, never a simulator crash. */
  async callFirmware<T>(call: () => MaybePromise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      this.stats.firmwareExceptions++;
      this.log(`firmware callback threw: ${(error as Error).stack ?? error}`);
      return undefined;
    }
  }

  /** @internal charges one PDU exchange to the modelled clock and the counters; returns its modelled duration. */
  account(request: Uint8Array, response: Uint8Array | undefined): number {
    const s = this.stats;
    const o = this.options;
    const name = opName(request[0] ?? 0);
    s.byOpcode[name] = (s.byOpcode[name] ?? 0) + 1;
    s.attBytesToPeripheral += request.length;
    let us = this.packetTimeUs(request.length);
    s.airBytes += this.airBytes(request.length);
    if (response) {
      s.transactions++;
      if (response[0] === ATT_OP.ERROR_RSP) s.errorResponses++;
      s.attBytesToCentral += response.length;
      s.airBytes += this.airBytes(response.length);
      us += this.packetTimeUs(response.length);
    } else {
      s.commands++;
    }
    // A request/response pair costs `intervalsPerTransaction` connection events; packets that do not fit in one
    // event spill into the following ones. Commands ride in an event the central already uses.
    const intervalUs = o.connectionIntervalMs * 1000;
    const events = response ? o.intervalsPerTransaction + Math.max(0, Math.ceil(us / intervalUs) - 1) : 0;
    const ms = events * o.connectionIntervalMs + (response ? 0 : us / 1000);
    s.airTimeMs += ms;
    return ms;
  }

  get realTime(): boolean {
    return this.options.realTime;
  }

  private fragments(attLength: number): number[] {
    const l2cap = attLength + 4;
    const out: number[] = [];
    for (let left = l2cap; left > 0; left -= this.options.llPayloadBytes) out.push(Math.min(left, this.options.llPayloadBytes));
    return out;
  }

  private airBytes(attLength: number): number {
    return this.fragments(attLength).reduce((sum, f) => sum + f + 10, 0);
  }

  /** 1M PHY: 8 µs per byte, plus inter-frame spacing and the peer's empty acknowledgement per packet. */
  private packetTimeUs(attLength: number): number {
    return this.fragments(attLength).reduce((sum, f) => sum + (f + 10) * 8 + 150 + 80 + 150, 0);
  }
}

/** One central's link to the simulated peripheral. Requests are served one at a time, as ATT requires. */
export class SimCentralLink {
  private readonly att: AttServer;
  private chain: Promise<unknown> = Promise.resolve();
  private down: number | undefined;
  private dropListeners: ((reason: number) => void)[] = [];
  private pending: ((status: number) => void) | undefined;
  private writeInFlight = false;
  private earlyCompletion: number | undefined;
  private readonly dropped: Promise<never>;
  private rejectDropped!: (error: Error) => void;

  constructor(
    readonly connection: number,
    readonly peerAddress: Uint8Array,
    private readonly peripheral: SimBlePeripheral,
    db: GattDatabase,
    private readonly callbacks: AsyncCallbacks,
    preferredMtu: number,
    maxPrepareEntries: number,
  ) {
    this.dropped = new Promise<never>((_, reject) => (this.rejectDropped = reject));
    this.dropped.catch(() => {});
    this.att = new AttServer(
      db,
      {
        writeValue: (handle, data) => this.firmwareWrite(handle, data),
        readValue: async (handle, offset) => (await peripheral.callFirmware(() => callbacks.onRead(connection, handle, offset))) ?? 0x0e,
        onMtu: async (mtu) => void (await peripheral.callFirmware(() => callbacks.onMtu(connection, mtu))),
      },
      { preferredMtu, maxPrepareEntries },
    );
  }

  get connected(): boolean {
    return this.down === undefined;
  }
  get mtu(): number {
    return this.att.mtu;
  }
  queuedPrepares(): number {
    return this.att.queuedPrepares();
  }

  /** Called once when the link goes down, with the reason the central sees. */
  onDisconnected(listener: (reason: number) => void): void {
    if (this.down !== undefined) listener(this.down);
    else this.dropListeners.push(listener);
  }

  /** Sends one ATT PDU; resolves to the response PDU (undefined for commands). Rejects with LinkDownError if the
   * link drops before the answer (e.g. disconnect while a deferred write is pending). */
  request(pdu: Uint8Array): Promise<Uint8Array | undefined> {
    const run = async (): Promise<Uint8Array | undefined> => {
      if (this.down !== undefined) throw new LinkDownError(this.down);
      const response = await Promise.race([this.att.handle(pdu), this.dropped]);
      if (this.down !== undefined) throw new LinkDownError(this.down);
      const ms = this.peripheral.account(pdu, response);
      if (this.peripheral.realTime && ms > 0) await new Promise((r) => setTimeout(r, ms));
      return response;
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => {});
    return result;
  }

  /** The central ends the link (reason as sent to the peripheral: 0x13 user terminated, 0x08 timeout). */
  async disconnect(reason: number = HCI_REASON.REMOTE_USER_TERMINATED): Promise<void> {
    await this.peripheral.centralDisconnect(this, reason);
  }

  /** @internal */
  complete(status: number): void {
    if (this.pending) {
      const resolve = this.pending;
      this.pending = undefined;
      resolve(status);
    } else if (this.writeInFlight) {
      // completeWrite may overtake the WRITE_PENDING return value across the XS bridge.
      this.earlyCompletion = status;
    }
  }

  /** @internal link loss: prepared writes and any pending write are dropped. */
  drop(reason: number): void {
    if (this.down !== undefined) return;
    this.down = reason;
    this.pending = undefined;
    this.rejectDropped(new LinkDownError(reason));
    for (const listener of this.dropListeners.splice(0)) listener(reason);
  }

  private async firmwareWrite(handle: number, data: Uint8Array): Promise<number> {
    this.writeInFlight = true;
    this.earlyCompletion = undefined;
    let status: number | undefined;
    try {
      status = await this.peripheral.callFirmware(() => this.callbacks.onWrite(this.connection, handle, data));
    } finally {
      this.writeInFlight = false;
    }
    if (status === undefined) return 0x0e;
    if (status !== WRITE_PENDING) return status;
    if (this.earlyCompletion !== undefined) return this.earlyCompletion;
    // The NimBLE task blocks until the firmware calls completeWrite (or the link drops: request() rejects).
    return new Promise<number>((resolve) => (this.pending = resolve));
  }
}

function randomAddress(): Uint8Array {
  const a = new Uint8Array(6);
  for (let i = 0; i < 6; i++) a[i] = Math.floor(Math.random() * 256);
  a[0] |= 0xc0; // static random address: two most significant bits set
  return a;
}
