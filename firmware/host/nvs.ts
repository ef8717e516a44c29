// Non-volatile storage host, modelled on ESP-IDF NVS (nvs_flash): namespaces of typed key/value entries.
// ESP32: nvs_open / nvs_get_* / nvs_set_* / nvs_erase_key / nvs_commit on the default "nvs" partition
// (optionally encrypted with NVS keys for production images). Simulator: a JSON file with a power-cut injector.
//
// Contract:
// - Namespace and key names are 1..15 bytes (NVS_KEY_NAME_MAX_SIZE - 1); longer names throw NvsError('KEY_TOO_LONG').
// - A missing key reads as undefined (ESP_ERR_NVS_NOT_FOUND is not an error here).
// - Reading a key with a different type than it was written with throws NvsError('TYPE_MISMATCH').
// - Each set/erase is atomic on its own (NVS writes a new entry, then marks the old one erased), but several sets
//   are NOT atomic together: a power cut between two sets leaves the first one written. Callers that need
//   all-or-nothing store one blob (see firmware/storage/record.ts).
// - Strings are at most 4000 bytes, blobs at most 4000 bytes here (a conservative bound below the 508000-byte
//   NVS blob limit that keeps a record in one page); larger values throw NvsError('VALUE_TOO_LONG').
// - commit() flushes pending writes (a no-op on current NVS, required by the API); it can fail like a write.
// - A full partition throws NvsError('NOT_ENOUGH_SPACE'); the simulator's power cut throws NvsError('POWER_LOSS')
//   and the handle (and every other) stays dead until the simulated reboot.

export type NvsErrorCode =
  | 'KEY_TOO_LONG'
  | 'VALUE_TOO_LONG'
  | 'TYPE_MISMATCH'
  | 'NOT_ENOUGH_SPACE'
  | 'READ_ONLY'
  | 'POWER_LOSS'
  | 'CLOSED'
  | 'INTERNAL';

export class NvsError extends Error {
  constructor(readonly code: NvsErrorCode, message: string) {
    super(message);
    this.name = 'NvsError';
  }
}

export interface NvsNamespace {
  getU8(key: string): number | undefined;
  setU8(key: string, value: number): void;
  getU32(key: string): number | undefined;
  setU32(key: string, value: number): void;
  getI32(key: string): number | undefined;
  setI32(key: string, value: number): void;
  getString(key: string): string | undefined;
  setString(key: string, value: string): void;
  getBlob(key: string): Uint8Array | undefined;
  setBlob(key: string, value: Uint8Array): void;
  erase(key: string): void;
  eraseAll(): void;
  commit(): void;
  close(): void;
}

export interface NvsHost {
  /** Opens (creating in read-write mode) a namespace. Read-only handles throw NvsError('READ_ONLY') on writes. */
  open(namespace: string, mode: 'readonly' | 'readwrite'): NvsNamespace;
}
