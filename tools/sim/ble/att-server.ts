// The simulated ATT server: answers one central's request PDUs against the GATT database, modelling NimBLE's
// ble_att_svr.c (Bluetooth Core Vol 3 Part F): MTU exchange, discovery, reads truncated to MTU-1 with Read Blob
// continuation, Write Request <= MTU-3, the prepared-write queue validated at Execute time, error codes.
// Firmware characteristic values go through the firmware callbacks, which may return Promises (XS bridge).
import { ATT_DEFAULT_MTU, ATT_ERROR, ATT_MAX_MTU, ATT_OP, GATT_UUID, readU16, u16 } from './att';
import type { Attribute, GattDatabase } from './gatt-db';

/** What the ATT server needs from the link: the firmware's callbacks, already bound to this connection. */
export interface AttServerPort {
  /** Firmware onWrite, including the WRITE_PENDING → completeWrite dance; resolves to the ATT status. */
  writeValue(handle: number, data: Uint8Array): Promise<number>;
  /** Firmware onRead. */
  readValue(handle: number, offset: number): Promise<Uint8Array | number>;
  onMtu(mtu: number): Promise<void>;
}

export interface AttServerOptions {
  /** The firmware's preferred MTU (what the Exchange MTU Response offers), clamped to 23..517. */
  preferredMtu: number;
  /** Prepared-write queue entries per connection (NimBLE: BLE_ATT_SVR_MAX_PREP_ENTRIES, 64 by default). */
  maxPrepareEntries: number;
}

interface PrepareEntry {
  handle: number;
  offset: number;
  value: Uint8Array;
}

/** Thrown inside handlers to produce an Error Response. */
class AttFailure {
  constructor(
    readonly code: number,
    readonly handle: number,
  ) {}
}

export class AttServer {
  mtu = ATT_DEFAULT_MTU;
  private queue: PrepareEntry[] = [];
  private readonly cccd = new Map<number, Uint8Array>();
  private readonly serverMtu: number;

  constructor(
    private readonly db: GattDatabase,
    private readonly port: AttServerPort,
    private readonly options: AttServerOptions,
  ) {
    this.serverMtu = Math.max(ATT_DEFAULT_MTU, Math.min(ATT_MAX_MTU, Math.floor(options.preferredMtu)));
  }

  /** Prepared writes waiting for Execute (dropped with the link). */
  queuedPrepares(): number {
    return this.queue.length;
  }

  /** Handles one PDU from the central. Resolves to the response PDU, or undefined for commands and ignored PDUs. */
  async handle(input: Uint8Array): Promise<Uint8Array | undefined> {
    // Own a plain copy: a Buffer's slice() would alias the caller's memory into values handed to the firmware.
    const pdu = new Uint8Array(input);
    if (pdu.length === 0) return undefined;
    const op = pdu[0];
    try {
      // A PDU longer than the bearer's MTU cannot arrive on a real link; NimBLE's L2CAP drops it. Answer it as a
      // malformed request (commands are dropped silently) so a client sees its mistake instead of a hang.
      if (pdu.length > this.mtu) {
        if (op & 0x40) return undefined;
        throw new AttFailure(ATT_ERROR.INVALID_PDU, 0);
      }
      return await this.dispatch(op, pdu);
    } catch (error) {
      if (error instanceof AttFailure) return error.handle === -1 ? undefined : errorPdu(op, error.handle, error.code);
      throw error;
    }
  }

  private async dispatch(op: number, pdu: Uint8Array): Promise<Uint8Array | undefined> {
    switch (op) {
      case ATT_OP.EXCHANGE_MTU_REQ:
        return this.exchangeMtu(pdu);
      case ATT_OP.FIND_INFORMATION_REQ:
        return this.findInformation(pdu);
      case ATT_OP.FIND_BY_TYPE_VALUE_REQ:
        return this.findByTypeValue(pdu);
      case ATT_OP.READ_BY_TYPE_REQ:
        return this.readByType(pdu);
      case ATT_OP.READ_REQ:
        expectLength(pdu, 3);
        return concatPdu(ATT_OP.READ_RSP, await this.readAttribute(readU16(pdu, 1), 0, this.mtu - 1));
      case ATT_OP.READ_BLOB_REQ:
        expectLength(pdu, 5);
        return concatPdu(ATT_OP.READ_BLOB_RSP, await this.readAttribute(readU16(pdu, 1), readU16(pdu, 3), this.mtu - 1));
      case ATT_OP.READ_MULTIPLE_REQ:
        return this.readMultiple(pdu);
      case ATT_OP.READ_BY_GROUP_TYPE_REQ:
        return this.readByGroupType(pdu);
      case ATT_OP.WRITE_REQ: {
        if (pdu.length < 3) throw new AttFailure(ATT_ERROR.INVALID_PDU, 0);
        const handle = readU16(pdu, 1);
        const attr = this.writableAttribute(handle);
        await this.writeAttribute(attr, pdu.slice(3));
        return Uint8Array.of(ATT_OP.WRITE_RSP);
      }
      case ATT_OP.WRITE_CMD: {
        // Write Without Response: our characteristics do not declare it; NimBLE drops such commands silently.
        if (pdu.length < 3) return undefined;
        const attr = this.db.byHandle.get(readU16(pdu, 1));
        if (!attr || !attr.writable || !attr.cccd) return undefined;
        try {
          await this.writeAttribute(attr, pdu.slice(3));
        } catch {
          /* commands never get a response */
        }
        return undefined;
      }
      case ATT_OP.PREPARE_WRITE_REQ:
        return this.prepareWrite(pdu);
      case ATT_OP.EXECUTE_WRITE_REQ:
        return this.executeWrite(pdu);
      case ATT_OP.HANDLE_VALUE_CFM:
        return undefined;
      default:
        // Unknown commands (bit 6 set, e.g. Signed Write) are ignored; unknown requests are refused.
        if (op & 0x40) return undefined;
        throw new AttFailure(ATT_ERROR.REQUEST_NOT_SUPPORTED, 0);
    }
  }

  private async exchangeMtu(pdu: Uint8Array): Promise<Uint8Array> {
    expectLength(pdu, 3);
    // A client MTU below the default is treated as 23 (NimBLE ble_att_svr_rx_mtu).
    const clientMtu = Math.max(ATT_DEFAULT_MTU, readU16(pdu, 1));
    this.mtu = Math.min(clientMtu, this.serverMtu);
    await this.port.onMtu(this.mtu);
    return Uint8Array.of(ATT_OP.EXCHANGE_MTU_RSP, ...u16(this.serverMtu));
  }

  private range(pdu: Uint8Array): { start: number; end: number } {
    const start = readU16(pdu, 1);
    const end = readU16(pdu, 3);
    if (start === 0 || start > end) throw new AttFailure(ATT_ERROR.INVALID_HANDLE, start);
    return { start, end };
  }

  private inRange(start: number, end: number): Attribute[] {
    return this.db.attributes.filter((a) => a.handle >= start && a.handle <= end);
  }

  private findInformation(pdu: Uint8Array): Uint8Array {
    expectLength(pdu, 5);
    const { start, end } = this.range(pdu);
    const attrs = this.inRange(start, end);
    if (attrs.length === 0) throw new AttFailure(ATT_ERROR.ATTRIBUTE_NOT_FOUND, start);
    const format = attrs[0].type.length === 2 ? 1 : 2;
    const out: number[] = [ATT_OP.FIND_INFORMATION_RSP, format];
    for (const a of attrs) {
      if (a.type.length !== attrs[0].type.length || out.length + 2 + a.type.length > this.mtu) break;
      out.push(...u16(a.handle), ...a.type);
    }
    return Uint8Array.from(out);
  }

  private findByTypeValue(pdu: Uint8Array): Uint8Array {
    if (pdu.length < 7) throw new AttFailure(ATT_ERROR.INVALID_PDU, 0);
    const { start, end } = this.range(pdu);
    const type = readU16(pdu, 5);
    const value = pdu.slice(7);
    const out: number[] = [ATT_OP.FIND_BY_TYPE_VALUE_RSP];
    for (const a of this.inRange(start, end)) {
      if (a.type.length !== 2 || readU16(a.type, 0) !== type || !a.value || !a.readable) continue;
      if (Buffer.compare(Buffer.from(a.value), Buffer.from(value)) !== 0) continue;
      if (out.length + 4 > this.mtu) break;
      out.push(...u16(a.handle), ...u16(a.groupEnd ?? a.handle));
    }
    if (out.length === 1) throw new AttFailure(ATT_ERROR.ATTRIBUTE_NOT_FOUND, start);
    return Uint8Array.from(out);
  }

  private typeOf(pdu: Uint8Array): Uint8Array {
    if (pdu.length !== 7 && pdu.length !== 21) throw new AttFailure(ATT_ERROR.INVALID_PDU, 0);
    return pdu.slice(5);
  }

  private async readByType(pdu: Uint8Array): Promise<Uint8Array> {
    const type = this.typeOf(pdu);
    const { start, end } = this.range(pdu);
    const maxValue = Math.min(this.mtu - 4, 253);
    const out: number[] = [ATT_OP.READ_BY_TYPE_RSP, 0];
    let entryValueLength = -1;
    for (const a of this.inRange(start, end)) {
      if (!sameType(a.type, type)) continue;
      let value: Uint8Array;
      try {
        value = (await this.readAttribute(a.handle, 0, maxValue)).slice(0, maxValue);
      } catch (error) {
        // The first matching attribute's error is reported; a later one ends the list (Core Vol 3 Part F §3.4.4.1).
        if (entryValueLength < 0) throw error;
        break;
      }
      if (entryValueLength < 0) entryValueLength = value.length;
      if (value.length !== entryValueLength || out.length + 2 + value.length > this.mtu) break;
      out.push(...u16(a.handle), ...value);
    }
    if (entryValueLength < 0) throw new AttFailure(ATT_ERROR.ATTRIBUTE_NOT_FOUND, start);
    out[1] = entryValueLength + 2;
    return Uint8Array.from(out);
  }

  private readByGroupType(pdu: Uint8Array): Uint8Array {
    const type = this.typeOf(pdu);
    const { start, end } = this.range(pdu);
    if (type.length !== 2 || (readU16(type, 0) !== GATT_UUID.PRIMARY_SERVICE && readU16(type, 0) !== GATT_UUID.SECONDARY_SERVICE)) {
      throw new AttFailure(ATT_ERROR.UNSUPPORTED_GROUP_TYPE, start);
    }
    const maxValue = Math.min(this.mtu - 6, 251);
    const out: number[] = [ATT_OP.READ_BY_GROUP_TYPE_RSP, 0];
    let entryValueLength = -1;
    for (const a of this.inRange(start, end)) {
      if (a.kind !== 'service' || !sameType(a.type, type) || !a.value) continue;
      const value = a.value.slice(0, maxValue);
      if (entryValueLength < 0) entryValueLength = value.length;
      if (value.length !== entryValueLength || out.length + 4 + value.length > this.mtu) break;
      out.push(...u16(a.handle), ...u16(a.groupEnd ?? a.handle), ...value);
    }
    if (entryValueLength < 0) throw new AttFailure(ATT_ERROR.ATTRIBUTE_NOT_FOUND, start);
    out[1] = entryValueLength + 4;
    return Uint8Array.from(out);
  }

  private async readMultiple(pdu: Uint8Array): Promise<Uint8Array> {
    if (pdu.length < 5 || (pdu.length - 1) % 2 !== 0) throw new AttFailure(ATT_ERROR.INVALID_PDU, 0);
    const parts: number[] = [];
    for (let at = 1; at < pdu.length; at += 2) parts.push(...(await this.readAttribute(readU16(pdu, at), 0, this.mtu - 1)));
    return concatPdu(ATT_OP.READ_MULTIPLE_RSP, Uint8Array.from(parts.slice(0, this.mtu - 1)));
  }

  /** Reads from `offset`, at most `limit` bytes. Errors carry the handle. */
  private async readAttribute(handle: number, offset: number, limit: number): Promise<Uint8Array> {
    const attr = this.db.byHandle.get(handle);
    if (!attr) throw new AttFailure(ATT_ERROR.INVALID_HANDLE, handle);
    if (!attr.readable) throw new AttFailure(ATT_ERROR.READ_NOT_PERMITTED, handle);
    let value: Uint8Array;
    if (attr.firmware) {
      const result = await this.port.readValue(handle, offset);
      if (typeof result === 'number') throw new AttFailure(result === 0 ? ATT_ERROR.UNLIKELY_ERROR : result, handle);
      if (!(result instanceof Uint8Array)) throw new AttFailure(ATT_ERROR.UNLIKELY_ERROR, handle);
      value = result;
    } else {
      const full = attr.cccd ? (this.cccd.get(handle) ?? new Uint8Array(2)) : (attr.value ?? new Uint8Array(0));
      // Offset equal to the length reads empty; beyond it is Invalid Offset (Core Vol 3 Part F §3.4.4.5).
      if (offset > full.length) throw new AttFailure(ATT_ERROR.INVALID_OFFSET, handle);
      value = full.subarray(offset);
    }
    return value.slice(0, limit);
  }

  private writableAttribute(handle: number): Attribute {
    const attr = this.db.byHandle.get(handle);
    if (!attr) throw new AttFailure(ATT_ERROR.INVALID_HANDLE, handle);
    if (!attr.writable) throw new AttFailure(ATT_ERROR.WRITE_NOT_PERMITTED, handle);
    return attr;
  }

  private maxLength(attr: Attribute): number {
    return attr.cccd ? 2 : (attr.firmware?.maxLength ?? 0);
  }

  private async writeAttribute(attr: Attribute, value: Uint8Array): Promise<void> {
    if (value.length > this.maxLength(attr)) throw new AttFailure(ATT_ERROR.INVALID_ATTRIBUTE_VALUE_LENGTH, attr.handle);
    if (attr.cccd) {
      if (value.length !== 2) throw new AttFailure(ATT_ERROR.INVALID_ATTRIBUTE_VALUE_LENGTH, attr.handle);
      this.cccd.set(attr.handle, value.slice());
      return;
    }
    const status = await this.port.writeValue(attr.handle, value);
    if (status !== 0) throw new AttFailure(status > 0 && status <= 0xff ? status : ATT_ERROR.UNLIKELY_ERROR, attr.handle);
  }

  private prepareWrite(pdu: Uint8Array): Uint8Array {
    if (pdu.length < 5) throw new AttFailure(ATT_ERROR.INVALID_PDU, 0);
    const handle = readU16(pdu, 1);
    const offset = readU16(pdu, 3);
    this.writableAttribute(handle);
    // NimBLE allocates one entry per Prepare Write from a fixed pool; lengths and offsets are only checked at
    // Execute time (ble_att_svr_prep_validate).
    if (this.queue.length >= this.options.maxPrepareEntries) throw new AttFailure(ATT_ERROR.PREPARE_QUEUE_FULL, handle);
    const value = pdu.slice(5);
    // Kept sorted by handle then offset, as ble_att_svr_insert_prep_entry does.
    let at = this.queue.length;
    while (at > 0 && (this.queue[at - 1].handle > handle || (this.queue[at - 1].handle === handle && this.queue[at - 1].offset > offset))) at--;
    this.queue.splice(at, 0, { handle, offset, value });
    const out = new Uint8Array(pdu.length);
    out.set(pdu);
    out[0] = ATT_OP.PREPARE_WRITE_RSP;
    return out;
  }

  private async executeWrite(pdu: Uint8Array): Promise<Uint8Array> {
    expectLength(pdu, 2);
    const flags = pdu[1];
    const queue = this.queue;
    this.queue = [];
    // Core spec: 0x00 cancel, 0x01 write, others reserved. NimBLE (ble_att_svr_rx_exec_write) writes for any
    // non-zero value, and so does the model.
    if (flags === 0 || queue.length === 0) return Uint8Array.of(ATT_OP.EXECUTE_WRITE_RSP);
    // Validate the whole queue first: each handle's entries start at offset 0 and are contiguous (else Invalid
    // Offset), and the reassembled length fits the attribute (else Invalid Attribute Value Length).
    const groups: { attr: Attribute; parts: Uint8Array[]; length: number }[] = [];
    for (const entry of queue) {
      const attr = this.writableAttribute(entry.handle);
      let group = groups[groups.length - 1];
      if (!group || group.attr !== attr) {
        if (entry.offset !== 0) throw new AttFailure(ATT_ERROR.INVALID_OFFSET, entry.handle);
        group = { attr, parts: [], length: 0 };
        groups.push(group);
      } else if (entry.offset !== group.length) {
        throw new AttFailure(ATT_ERROR.INVALID_OFFSET, entry.handle);
      }
      group.parts.push(entry.value);
      group.length += entry.value.length;
      if (group.length > this.maxLength(attr)) throw new AttFailure(ATT_ERROR.INVALID_ATTRIBUTE_VALUE_LENGTH, entry.handle);
    }
    // NimBLE then calls each attribute's access callback once with the flattened value.
    for (const group of groups) await this.writeAttribute(group.attr, new Uint8Array(Buffer.concat(group.parts)));
    return Uint8Array.of(ATT_OP.EXECUTE_WRITE_RSP);
  }
}

/** Fixed-size requests: NimBLE pulls up the request base and ignores trailing bytes; a short PDU is 0x04. */
function expectLength(pdu: Uint8Array, length: number): void {
  if (pdu.length < length) throw new AttFailure(ATT_ERROR.INVALID_PDU, 0);
}

function sameType(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function concatPdu(op: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + value.length);
  out[0] = op;
  out.set(value, 1);
  return out;
}

function errorPdu(requestOp: number, handle: number, code: number): Uint8Array {
  return Uint8Array.of(ATT_OP.ERROR_RSP, requestOp, ...u16(handle), code);
}
