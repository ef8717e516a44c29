// ATT protocol constants and PDU builders/readers (Bluetooth Core 5.x, Vol 3 Part F §3.4), shared by the simulated
// ATT server (tools/sim/ble/att-server.ts) and the central-side client library (tools/sim/ble/client.ts).
// Little-endian throughout; 128-bit UUIDs are carried LSB first, as on the air.
import { ATT_ERR } from '../../../firmware/host/ble';

export const ATT_OP = {
  ERROR_RSP: 0x01,
  EXCHANGE_MTU_REQ: 0x02,
  EXCHANGE_MTU_RSP: 0x03,
  FIND_INFORMATION_REQ: 0x04,
  FIND_INFORMATION_RSP: 0x05,
  FIND_BY_TYPE_VALUE_REQ: 0x06,
  FIND_BY_TYPE_VALUE_RSP: 0x07,
  READ_BY_TYPE_REQ: 0x08,
  READ_BY_TYPE_RSP: 0x09,
  READ_REQ: 0x0a,
  READ_RSP: 0x0b,
  READ_BLOB_REQ: 0x0c,
  READ_BLOB_RSP: 0x0d,
  READ_MULTIPLE_REQ: 0x0e,
  READ_MULTIPLE_RSP: 0x0f,
  READ_BY_GROUP_TYPE_REQ: 0x10,
  READ_BY_GROUP_TYPE_RSP: 0x11,
  WRITE_REQ: 0x12,
  WRITE_RSP: 0x13,
  PREPARE_WRITE_REQ: 0x16,
  PREPARE_WRITE_RSP: 0x17,
  EXECUTE_WRITE_REQ: 0x18,
  EXECUTE_WRITE_RSP: 0x19,
  HANDLE_VALUE_NTF: 0x1b,
  HANDLE_VALUE_IND: 0x1d,
  HANDLE_VALUE_CFM: 0x1e,
  WRITE_CMD: 0x52,
  SIGNED_WRITE_CMD: 0xd2,
} as const;

/** ATT error codes (Vol 3 Part F §3.4.1.1): the seam's ATT_ERR (firmware/host/ble.ts, the single source of the
 * codes a firmware callback may return) plus the ones only the ATT server itself sends. */
export const ATT_ERROR = {
  ...ATT_ERR,
  UNSUPPORTED_GROUP_TYPE: 0x10,
  INSUFFICIENT_RESOURCES: 0x11,
} as const;

export const ATT_DEFAULT_MTU = 23;
/** Largest ATT MTU the simulator negotiates (Android and iOS cap at 517). */
export const ATT_MAX_MTU = 517;

export const GATT_UUID = {
  PRIMARY_SERVICE: 0x2800,
  SECONDARY_SERVICE: 0x2801,
  INCLUDE: 0x2802,
  CHARACTERISTIC: 0x2803,
  USER_DESCRIPTION: 0x2901,
  CCCD: 0x2902,
  GAP_SERVICE: 0x1800,
  GATT_SERVICE: 0x1801,
  DEVICE_NAME: 0x2a00,
  APPEARANCE: 0x2a01,
  SERVICE_CHANGED: 0x2a05,
} as const;

const OP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ATT_OP).map(([k, v]) => [v, k]));
export function opName(op: number): string {
  return OP_NAMES[op] ?? `OP_0x${op.toString(16).padStart(2, '0')}`;
}

export function u16(value: number): number[] {
  return [value & 0xff, (value >> 8) & 0xff];
}
export function readU16(data: Uint8Array, at: number): number {
  return data[at] | (data[at + 1] << 8);
}
export function uuid16Bytes(uuid: number): Uint8Array {
  return Uint8Array.from(u16(uuid));
}
/** 2-byte UUIDs as a number; 16-byte UUIDs as canonical text (LSB-first input). */
export function uuidToString(uuid: Uint8Array): string {
  if (uuid.length === 2) return readU16(uuid, 0).toString(16).padStart(4, '0');
  const hex = Buffer.from(uuid).reverse().toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---- request builders (central side) ----
const pdu = (...parts: (number[] | Uint8Array)[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
export const build = {
  exchangeMtu: (mtu: number) => pdu([ATT_OP.EXCHANGE_MTU_REQ, ...u16(mtu)]),
  findInformation: (start: number, end: number) => pdu([ATT_OP.FIND_INFORMATION_REQ, ...u16(start), ...u16(end)]),
  findByTypeValue: (start: number, end: number, type16: number, value: Uint8Array) =>
    pdu([ATT_OP.FIND_BY_TYPE_VALUE_REQ, ...u16(start), ...u16(end), ...u16(type16)], value),
  readByType: (start: number, end: number, type: Uint8Array) => pdu([ATT_OP.READ_BY_TYPE_REQ, ...u16(start), ...u16(end)], type),
  read: (handle: number) => pdu([ATT_OP.READ_REQ, ...u16(handle)]),
  readBlob: (handle: number, offset: number) => pdu([ATT_OP.READ_BLOB_REQ, ...u16(handle), ...u16(offset)]),
  readMultiple: (handles: number[]) => pdu([ATT_OP.READ_MULTIPLE_REQ, ...handles.flatMap(u16)]),
  readByGroupType: (start: number, end: number, type: Uint8Array) => pdu([ATT_OP.READ_BY_GROUP_TYPE_REQ, ...u16(start), ...u16(end)], type),
  write: (handle: number, value: Uint8Array) => pdu([ATT_OP.WRITE_REQ, ...u16(handle)], value),
  writeCommand: (handle: number, value: Uint8Array) => pdu([ATT_OP.WRITE_CMD, ...u16(handle)], value),
  prepareWrite: (handle: number, offset: number, value: Uint8Array) => pdu([ATT_OP.PREPARE_WRITE_REQ, ...u16(handle), ...u16(offset)], value),
  executeWrite: (flags: number) => pdu([ATT_OP.EXECUTE_WRITE_REQ, flags]),
  error: (requestOp: number, handle: number, code: number) => pdu([ATT_OP.ERROR_RSP, requestOp, ...u16(handle), code]),
};

/** Thrown by the client library when the server answers with an Error Response. */
export class AttError extends Error {
  constructor(
    readonly code: number,
    readonly requestOpcode: number,
    readonly handle: number,
  ) {
    super(`ATT error 0x${code.toString(16).padStart(2, '0')} for ${opName(requestOpcode)} on handle 0x${handle.toString(16).padStart(4, '0')}`);
    this.name = 'AttError';
  }
}

/** Returns the AttError carried by an Error Response PDU, or undefined for any other PDU. */
export function parseErrorResponse(response: Uint8Array): AttError | undefined {
  if (response.length !== 5 || response[0] !== ATT_OP.ERROR_RSP) return undefined;
  return new AttError(response[4], response[1], readU16(response, 2));
}
