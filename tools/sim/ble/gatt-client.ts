// Central-side GATT procedures built from single ATT PDUs, as a phone's stack runs them (Core Vol 3 Part G §4):
// primary service discovery, characteristic and descriptor discovery, long reads (Read + Read Blob) and long
// writes (Prepare Write queue + Execute Write). Works over any `request(pdu)` function: the in-process link or the
// link server's `att` op, so every procedure is charged PDU by PDU to the modelled link.
import { ATT_ERROR, ATT_OP, AttError, build, GATT_UUID, parseErrorResponse, readU16, uuid16Bytes, uuidToString } from './att';

export type AttRequest = (pdu: Uint8Array) => Promise<Uint8Array | undefined>;

export interface DiscoveredDescriptor {
  handle: number;
  uuid: string;
  /** Read for 0x2901 (user description), the text the provisioning clients match endpoints by. */
  value?: Uint8Array;
}
export interface DiscoveredCharacteristic {
  uuid: string;
  declarationHandle: number;
  valueHandle: number;
  properties: number;
  descriptors: DiscoveredDescriptor[];
  /** 0x2901 text, if present. */
  userDescription?: string;
}
export interface DiscoveredService {
  uuid: string;
  start: number;
  end: number;
  characteristics: DiscoveredCharacteristic[];
}

/** Longest value readLong follows (a safety bound for a misbehaving peripheral). */
const MAX_LONG_VALUE = 0x10000;

export class GattClient {
  constructor(
    private readonly request: AttRequest,
    private readonly mtu: () => number,
  ) {}

  /** Sends a request and returns its response; an Error Response becomes an AttError, a wrong opcode an Error. */
  async exchange(pdu: Uint8Array, expected: number): Promise<Uint8Array> {
    const response = await this.request(pdu);
    if (!response) throw new Error(`no response to ${pdu[0]}`);
    const error = parseErrorResponse(response);
    if (error) throw error;
    if (response[0] !== expected) throw new Error(`unexpected ATT opcode 0x${response[0].toString(16)} (wanted 0x${expected.toString(16)})`);
    return response;
  }

  async exchangeMtu(clientMtu: number): Promise<number> {
    const rsp = await this.exchange(build.exchangeMtu(clientMtu), ATT_OP.EXCHANGE_MTU_RSP);
    return Math.max(23, Math.min(clientMtu, readU16(rsp, 1)));
  }

  async read(handle: number): Promise<Uint8Array> {
    return (await this.exchange(build.read(handle), ATT_OP.READ_RSP)).slice(1);
  }

  async readBlob(handle: number, offset: number): Promise<Uint8Array> {
    return (await this.exchange(build.readBlob(handle, offset), ATT_OP.READ_BLOB_RSP)).slice(1);
  }

  /** Read, then Read Blob while the previous part was full (MTU-1 bytes). */
  async readLong(handle: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let part = await this.read(handle);
    let total = part.length;
    parts.push(part);
    while (part.length === this.mtu() - 1 && total < MAX_LONG_VALUE) {
      part = await this.readBlob(handle, total);
      parts.push(part);
      total += part.length;
    }
    return new Uint8Array(Buffer.concat(parts));
  }

  async write(handle: number, value: Uint8Array): Promise<void> {
    await this.exchange(build.write(handle, value), ATT_OP.WRITE_RSP);
  }

  async prepareWrite(handle: number, offset: number, value: Uint8Array): Promise<Uint8Array> {
    return this.exchange(build.prepareWrite(handle, offset, value), ATT_OP.PREPARE_WRITE_RSP);
  }

  async executeWrite(flags: 0 | 1): Promise<void> {
    await this.exchange(build.executeWrite(flags), ATT_OP.EXECUTE_WRITE_RSP);
  }

  /** Write Request when the value fits (<= MTU-3), else a long write: Prepare Write chunks of MTU-5 bytes, each
   * echo checked as Android does, then Execute Write. A failed prepare cancels the queue before rethrowing. */
  async writeLong(handle: number, value: Uint8Array): Promise<void> {
    const mtu = this.mtu();
    if (value.length <= mtu - 3) return this.write(handle, value);
    const chunk = mtu - 5;
    try {
      for (let offset = 0; offset < value.length; offset += chunk) {
        const part = value.slice(offset, offset + chunk);
        const echo = await this.prepareWrite(handle, offset, part);
        if (readU16(echo, 1) !== handle || readU16(echo, 3) !== offset || Buffer.compare(Buffer.from(echo.subarray(5)), Buffer.from(part)) !== 0) {
          throw new Error('prepare write echo mismatch');
        }
      }
    } catch (error) {
      await this.executeWrite(0).catch(() => {});
      throw error;
    }
    await this.executeWrite(1);
  }

  /** Full discovery: services, characteristics, descriptors, and the 0x2901 descriptor values. */
  async discoverAll(): Promise<DiscoveredService[]> {
    const services = await this.discoverServices();
    for (const service of services) {
      service.characteristics = await this.discoverCharacteristics(service.start, service.end);
      for (let i = 0; i < service.characteristics.length; i++) {
        const c = service.characteristics[i];
        const next = service.characteristics[i + 1];
        const end = next ? next.declarationHandle - 1 : service.end;
        if (c.valueHandle < end) c.descriptors = await this.discoverDescriptors(c.valueHandle + 1, end);
        for (const d of c.descriptors) {
          if (d.uuid === GATT_UUID.USER_DESCRIPTION.toString(16)) {
            d.value = await this.readLong(d.handle);
            c.userDescription = new TextDecoder().decode(d.value);
          }
        }
      }
    }
    return services;
  }

  async discoverServices(): Promise<DiscoveredService[]> {
    const out: DiscoveredService[] = [];
    let start = 1;
    while (start <= 0xffff) {
      let rsp: Uint8Array;
      try {
        rsp = await this.exchange(build.readByGroupType(start, 0xffff, uuid16Bytes(GATT_UUID.PRIMARY_SERVICE)), ATT_OP.READ_BY_GROUP_TYPE_RSP);
      } catch (error) {
        if (error instanceof AttError && error.code === ATT_ERROR.ATTRIBUTE_NOT_FOUND) break;
        throw error;
      }
      const size = rsp[1];
      if (size < 6) throw new Error('malformed Read By Group Type response');
      let last = start;
      for (let at = 2; at + size <= rsp.length; at += size) {
        const end = readU16(rsp, at + 2);
        out.push({ uuid: uuidToString(rsp.slice(at + 4, at + size)), start: readU16(rsp, at), end, characteristics: [] });
        last = end;
      }
      if (last === 0xffff || last < start) break;
      start = last + 1;
    }
    return out;
  }

  async discoverCharacteristics(start: number, end: number): Promise<DiscoveredCharacteristic[]> {
    const out: DiscoveredCharacteristic[] = [];
    let from = start;
    while (from <= end) {
      let rsp: Uint8Array;
      try {
        rsp = await this.exchange(build.readByType(from, end, uuid16Bytes(GATT_UUID.CHARACTERISTIC)), ATT_OP.READ_BY_TYPE_RSP);
      } catch (error) {
        if (error instanceof AttError && error.code === ATT_ERROR.ATTRIBUTE_NOT_FOUND) break;
        throw error;
      }
      const size = rsp[1];
      if (size !== 7 && size !== 21) throw new Error('malformed characteristic declaration list');
      let last = from;
      for (let at = 2; at + size <= rsp.length; at += size) {
        const handle = readU16(rsp, at);
        out.push({ declarationHandle: handle, properties: rsp[at + 2], valueHandle: readU16(rsp, at + 3), uuid: uuidToString(rsp.slice(at + 5, at + size)), descriptors: [] });
        last = handle;
      }
      if (last >= end || last < from) break;
      from = last + 1;
    }
    return out;
  }

  async discoverDescriptors(start: number, end: number): Promise<DiscoveredDescriptor[]> {
    const out: DiscoveredDescriptor[] = [];
    let from = start;
    while (from <= end) {
      let rsp: Uint8Array;
      try {
        rsp = await this.exchange(build.findInformation(from, end), ATT_OP.FIND_INFORMATION_RSP);
      } catch (error) {
        if (error instanceof AttError && error.code === ATT_ERROR.ATTRIBUTE_NOT_FOUND) break;
        throw error;
      }
      const size = rsp[1] === 1 ? 4 : 18;
      let last = from;
      for (let at = 2; at + size <= rsp.length; at += size) {
        last = readU16(rsp, at);
        out.push({ handle: last, uuid: uuidToString(rsp.slice(at + 2, at + size)) });
      }
      if (last >= end || last < from) break;
      from = last + 1;
    }
    return out;
  }
}
