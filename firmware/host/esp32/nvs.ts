// ESP32 NVS host: firmware/host/nvs.ts on the native NVS core (native/nvs). The C side maps ESP-IDF errors to
// NvsErrorCode names (nvs_core.c nvsc_status_code); this glue only turns them into NvsError and checks number
// ranges before they reach C.

import { NvsError, type NvsErrorCode, type NvsHost, type NvsNamespace } from '../nvs';
import { bytes } from './status';

class NativeNvs extends Native('xs_nc_nvs_destructor') {
  constructor() {
    super();
    native('xs_nc_nvs_constructor').call(this);
  }
  open(name: string, readonly: boolean): null | undefined {
    return native('xs_nc_nvs_open').call(this, name, readonly);
  }
  lastError(): string {
    return native('xs_nc_nvs_last_error').call(this);
  }
  getU8(key: string): number | null | undefined {
    return native('xs_nc_nvs_get_u8').call(this, key);
  }
  setU8(key: string, value: number): null | undefined {
    return native('xs_nc_nvs_set_u8').call(this, key, value);
  }
  getU32(key: string): number | null | undefined {
    return native('xs_nc_nvs_get_u32').call(this, key);
  }
  setU32(key: string, value: number): null | undefined {
    return native('xs_nc_nvs_set_u32').call(this, key, value);
  }
  getI32(key: string): number | null | undefined {
    return native('xs_nc_nvs_get_i32').call(this, key);
  }
  setI32(key: string, value: number): null | undefined {
    return native('xs_nc_nvs_set_i32').call(this, key, value);
  }
  getString(key: string): string | null | undefined {
    return native('xs_nc_nvs_get_string').call(this, key);
  }
  setString(key: string, value: string): null | undefined {
    return native('xs_nc_nvs_set_string').call(this, key, value);
  }
  getBlob(key: string): ArrayBuffer | null | undefined {
    return native('xs_nc_nvs_get_blob').call(this, key);
  }
  setBlob(key: string, value: Uint8Array): null | undefined {
    return native('xs_nc_nvs_set_blob').call(this, key, value);
  }
  erase(key: string): null | undefined {
    return native('xs_nc_nvs_erase').call(this, key);
  }
  eraseAll(): null | undefined {
    return native('xs_nc_nvs_erase_all').call(this);
  }
  commit(): null | undefined {
    return native('xs_nc_nvs_commit').call(this);
  }
  close(): void {
    native('xs_nc_nvs_close').call(this);
  }
}

const CODES: readonly NvsErrorCode[] = Object.freeze([
  'KEY_TOO_LONG', 'VALUE_TOO_LONG', 'TYPE_MISMATCH', 'NOT_ENOUGH_SPACE', 'READ_ONLY', 'POWER_LOSS', 'CLOSED', 'INTERNAL',
]);

class Esp32NvsNamespace implements NvsNamespace {
  constructor(private readonly nvs: NativeNvs, private readonly name: string) {}

  #check<T>(result: T | null, op: string): T {
    if (result !== null) return result;
    const reported = this.nvs.lastError();
    const code = (CODES as readonly string[]).includes(reported) ? (reported as NvsErrorCode) : 'INTERNAL';
    throw new NvsError(code, `nvs ${this.name}: ${op} failed (${code})`);
  }

  #integer(value: number, min: number, max: number, op: string): void {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new NvsError('INTERNAL', `nvs ${this.name}: ${op} value out of range ${min}..${max}`);
    }
  }

  getU8(key: string): number | undefined {
    return this.#check(this.nvs.getU8(key), 'getU8');
  }
  setU8(key: string, value: number): void {
    this.#integer(value, 0, 0xff, 'setU8');
    this.#check(this.nvs.setU8(key, value), 'setU8');
  }
  getU32(key: string): number | undefined {
    return this.#check(this.nvs.getU32(key), 'getU32');
  }
  setU32(key: string, value: number): void {
    this.#integer(value, 0, 0xffffffff, 'setU32');
    this.#check(this.nvs.setU32(key, value), 'setU32');
  }
  getI32(key: string): number | undefined {
    return this.#check(this.nvs.getI32(key), 'getI32');
  }
  setI32(key: string, value: number): void {
    this.#integer(value, -0x80000000, 0x7fffffff, 'setI32');
    this.#check(this.nvs.setI32(key, value), 'setI32');
  }
  getString(key: string): string | undefined {
    return this.#check(this.nvs.getString(key), 'getString');
  }
  setString(key: string, value: string): void {
    this.#check(this.nvs.setString(key, value), 'setString');
  }
  getBlob(key: string): Uint8Array | undefined {
    const result = this.#check(this.nvs.getBlob(key), 'getBlob');
    return result === undefined ? undefined : bytes(result);
  }
  setBlob(key: string, value: Uint8Array): void {
    this.#check(this.nvs.setBlob(key, value), 'setBlob');
  }
  erase(key: string): void {
    this.#check(this.nvs.erase(key), 'erase');
  }
  eraseAll(): void {
    this.#check(this.nvs.eraseAll(), 'eraseAll');
  }
  commit(): void {
    this.#check(this.nvs.commit(), 'commit');
  }
  close(): void {
    this.nvs.close();
  }
}

export class Esp32NvsHost implements NvsHost {
  open(namespace: string, mode: 'readonly' | 'readwrite'): NvsNamespace {
    const nvs = new NativeNvs();
    const ns = new Esp32NvsNamespace(nvs, namespace);
    if (nvs.open(namespace, mode === 'readonly') === null) {
      const reported = nvs.lastError();
      const code = (CODES as readonly string[]).includes(reported) ? (reported as NvsErrorCode) : 'INTERNAL';
      throw new NvsError(code, `nvs open ${namespace} failed (${code})`);
    }
    return ns;
  }
}
