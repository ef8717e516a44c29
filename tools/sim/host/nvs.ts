// Simulated ESP-IDF NVS (firmware/host/nvs.ts contract) backed by a JSON file, with a power-cut injector and an
// enumerator that replays a scenario with the power cut at every NVS step (used by the "power cut at every NVS
// write/commit step: next boot has old or new, never a mix" tests of Wi-Fi credentials and the OpenRemote config).
//
// What it models: namespaces, typed entries (a key has the type it was last written with), 1..15-byte names,
// value limits, per-operation atomicity (a completed set/erase is on "flash" at once; commit() is a no-op step),
// space accounting in 32-byte entries as NVS lays them out, and power loss between operations.
// What it does not model: page layout, garbage-collection timing, wear, NVS encryption, a power cut *inside* one
// operation (NVS itself makes those atomic with its entry state bits, which is what the contract promises).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NvsError, type NvsHost, type NvsNamespace } from '../../../firmware/host/nvs';

/** NVS_KEY_NAME_MAX_SIZE (16) minus the NUL terminator. */
export const NVS_NAME_MAX_BYTES = 15;
/** Contract bound for strings and blobs (firmware/host/nvs.ts). */
export const NVS_VALUE_MAX_BYTES = 4000;
/** Default partition size: the 24 KB "nvs" partition of the default table (moddable-xs.md, partitions). */
export const NVS_DEFAULT_PARTITION_BYTES = 0x6000;

// NVS geometry (ESP-IDF nvs_flash, "Internals"): 4096-byte pages, 32-byte entries, 126 entries per page after the
// header and state bitmap; one page is always kept free for garbage collection.
const PAGE_BYTES = 4096;
const ENTRIES_PER_PAGE = 126;
const ENTRY_BYTES = 32;

type EntryType = 'u8' | 'u32' | 'i32' | 'str' | 'blob';

/** Persisted form of one entry; blobs are base64. */
interface StoredEntry {
  type: EntryType;
  value: number | string;
}

interface Image {
  format: 'or-esp32-sim-nvs';
  version: 1;
  namespaces: Record<string, Record<string, StoredEntry>>;
}

export interface SimNvsOptions {
  /** JSON file holding the flash image. Absent: the image lives in memory (still survives reboot()). */
  path?: string;
  /** Partition size in bytes (multiple of 4096, at least 2 pages). Default 24 KB. */
  partitionBytes?: number;
  /** Initial image (a snapshot() string) used when `path` is absent or the file does not exist yet. */
  initial?: string;
}

const utf8 = new TextEncoder();

function byteLength(text: string): number {
  return utf8.encode(text).length;
}

function checkName(what: 'namespace' | 'key', name: string): void {
  // ESP-IDF answers an empty name with ESP_ERR_NVS_INVALID_NAME and a long one with ESP_ERR_NVS_KEY_TOO_LONG;
  // the seam has one code for "name outside 1..15 bytes".
  if (typeof name !== 'string') throw new TypeError(`NVS ${what} name must be a string`);
  const n = byteLength(name);
  if (n < 1 || n > NVS_NAME_MAX_BYTES) {
    throw new NvsError('KEY_TOO_LONG', `NVS ${what} name "${name}" is ${n} bytes; allowed 1..${NVS_NAME_MAX_BYTES}`);
  }
}

/** Entries one value occupies (nvs_flash "Internals": primitive = 1; string = header + data spans including
 * the NUL; blob = index entry + one chunk header + data spans, a value of at most 4000 bytes is one chunk). */
function entriesFor(entry: StoredEntry): number {
  switch (entry.type) {
    case 'u8':
    case 'u32':
    case 'i32':
      return 1;
    case 'str':
      return 1 + Math.ceil((byteLength(entry.value as string) + 1) / ENTRY_BYTES);
    case 'blob':
      return 2 + Math.ceil(Buffer.from(entry.value as string, 'base64').length / ENTRY_BYTES);
  }
}

function emptyImage(): Image {
  return { format: 'or-esp32-sim-nvs', version: 1, namespaces: Object.create(null) };
}

function validEntry(entry: unknown): entry is StoredEntry {
  if (typeof entry !== 'object' || entry === null) return false;
  const { type, value } = entry as StoredEntry;
  switch (type) {
    case 'u8':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xff;
    case 'u32':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff;
    case 'i32':
      return Number.isInteger(value) && (value as number) >= -0x80000000 && (value as number) <= 0x7fffffff;
    case 'str':
      return typeof value === 'string' && !value.includes('\u0000') && byteLength(value) <= NVS_VALUE_MAX_BYTES;
    case 'blob': {
      if (typeof value !== 'string') return false;
      const bytes = Buffer.from(value, 'base64');
      return bytes.toString('base64') === value && bytes.length <= NVS_VALUE_MAX_BYTES;
    }
    default:
      return false;
  }
}

function validName(name: string): boolean {
  const n = byteLength(name);
  return n >= 1 && n <= NVS_NAME_MAX_BYTES;
}

/** Parses and fully validates a flash image: anything the firmware could not have written is refused. */
function parseImage(text: string, origin: string): Image {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new NvsError('INTERNAL', `NVS image ${origin} is not JSON: ${(error as Error).message}`);
  }
  const image = parsed as Image;
  if (
    typeof image !== 'object' ||
    image === null ||
    image.format !== 'or-esp32-sim-nvs' ||
    image.version !== 1 ||
    typeof image.namespaces !== 'object' ||
    image.namespaces === null ||
    Array.isArray(image.namespaces)
  ) {
    throw new NvsError('INTERNAL', `NVS image ${origin} is not an or-esp32-sim-nvs v1 image`);
  }
  const namespaces: Image['namespaces'] = Object.create(null);
  for (const [ns, entries] of Object.entries(image.namespaces)) {
    if (!validName(ns) || typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
      throw new NvsError('INTERNAL', `NVS image ${origin}: bad namespace "${ns}"`);
    }
    const copy: Record<string, StoredEntry> = Object.create(null);
    for (const [key, entry] of Object.entries(entries)) {
      if (!validName(key) || !validEntry(entry)) {
        throw new NvsError('INTERNAL', `NVS image ${origin}: bad entry "${ns}/${key}"`);
      }
      copy[key] = { type: entry.type, value: entry.value };
    }
    namespaces[ns] = copy;
  }
  return { format: 'or-esp32-sim-nvs', version: 1, namespaces };
}

/** Writes the whole image to a temp file, fsyncs it and renames it over the target: a killed process leaves
 * either the previous file or the new one, never a torn one (rename is atomic on POSIX file systems). */
function writeFileAtomic(target: string, text: string): void {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

/**
 * The simulated NVS partition. Every set*, erase, eraseAll and commit call on any handle is one "step"
 * (numbered from 1 since construction or the last reboot(); see `steps`). cutPowerAt(n) makes step n throw
 * NvsError('POWER_LOSS') without applying it, and every later call on any handle (reads and open() included)
 * throw the same until reboot(), which reloads the persisted image like a real power cycle.
 */
export class SimNvs implements NvsHost {
  private image: Image = emptyImage();
  /** The image as last persisted: the simulated flash. With a file, also written to disk. */
  private flash = '';
  private stepCount = 0;
  private cutAt: number | undefined;
  private dead = false;
  /** Handles from before a reboot are stale (their RAM is gone). */
  private generation = 0;
  private readonly capacityEntries: number;

  constructor(private readonly options: SimNvsOptions = {}) {
    const partition = options.partitionBytes ?? NVS_DEFAULT_PARTITION_BYTES;
    if (!Number.isInteger(partition) || partition % PAGE_BYTES !== 0 || partition < 2 * PAGE_BYTES) {
      throw new RangeError('NVS partitionBytes must be a multiple of 4096 and at least 8192');
    }
    this.capacityEntries = (partition / PAGE_BYTES - 1) * ENTRIES_PER_PAGE;
    const existing = options.path !== undefined && fs.existsSync(options.path);
    this.flash = existing ? fs.readFileSync(options.path!, 'utf8') : (options.initial ?? JSON.stringify(emptyImage()));
    this.image = parseImage(this.flash, existing ? options.path! : 'initial');
    if (this.usedEntries() > this.capacityEntries) {
      throw new NvsError('NOT_ENOUGH_SPACE', 'NVS image does not fit the configured partition');
    }
    if (options.path && !existing) writeFileAtomic(options.path, this.flash);
  }

  /** Steps taken since construction or the last reboot(). */
  get steps(): number {
    return this.stepCount;
  }

  /** True after a simulated power cut, until reboot(). */
  get poweredOff(): boolean {
    return this.dead;
  }

  /** Entries in use and available (one entry = 32 bytes), for tests of NOT_ENOUGH_SPACE. */
  usage(): { usedEntries: number; capacityEntries: number } {
    return { usedEntries: this.usedEntries(), capacityEntries: this.capacityEntries };
  }

  /** Arms a power cut at step `step` (absolute, 1-based, counted like `steps`). Undefined disarms. */
  cutPowerAt(step: number | undefined): void {
    if (step !== undefined && (!Number.isInteger(step) || step <= this.stepCount)) {
      throw new RangeError(`cutPowerAt(${step}): must be an integer after the current step ${this.stepCount}`);
    }
    this.cutAt = step;
  }

  /** Power cycle: drops RAM state (open handles become stale), reloads the persisted image, resets the step
   * counter and disarms any cut. */
  reboot(): void {
    if (this.options.path) this.flash = fs.readFileSync(this.options.path, 'utf8');
    this.image = parseImage(this.flash, this.options.path ?? 'memory');
    this.generation++;
    this.stepCount = 0;
    this.cutAt = undefined;
    this.dead = false;
  }

  /** The persisted image (JSON). Feed it to `initial` to start another SimNvs in the same state. */
  snapshot(): string {
    return this.flash;
  }

  open(namespace: string, mode: 'readonly' | 'readwrite'): NvsNamespace {
    this.checkPower();
    checkName('namespace', namespace);
    if (mode !== 'readonly' && mode !== 'readwrite') throw new TypeError(`NVS open mode "${String(mode)}"`);
    // A readonly open of a namespace that was never written is allowed here and reads as empty (ESP-IDF
    // returns ESP_ERR_NVS_NOT_FOUND from nvs_open; the seam has no such case, a missing key reads undefined).
    // The namespace entry itself is created with the first write.
    return new SimNamespace(this, namespace, mode === 'readonly', this.generation);
  }

  // ----- internal API for SimNamespace -----

  /** @internal */ checkPower(): void {
    if (this.dead) throw new NvsError('POWER_LOSS', 'NVS: simulated power loss (reboot() to power up again)');
  }

  /** @internal */ isCurrent(generation: number): boolean {
    return generation === this.generation;
  }

  /** @internal Counts one step; throws POWER_LOSS if the cut is armed for it (nothing applied). */
  beginStep(): void {
    this.checkPower();
    this.stepCount++;
    if (this.cutAt === this.stepCount) {
      this.dead = true;
      throw new NvsError('POWER_LOSS', `NVS: simulated power cut at step ${this.stepCount}`);
    }
  }

  /** @internal */ read(namespace: string, key: string): StoredEntry | undefined {
    return this.image.namespaces[namespace]?.[key];
  }

  /** @internal Applies one mutation as a unit: space is checked first, then the image changes and is persisted.
   * If persisting fails the in-memory image is rolled back, so RAM never runs ahead of flash. */
  mutate(namespace: string, change: (entries: Record<string, StoredEntry>) => void): void {
    const before = this.image;
    const next: Image = parseImage(JSON.stringify(before), 'memory');
    const isNewNamespace = !next.namespaces[namespace];
    const entries = next.namespaces[namespace] ?? (next.namespaces[namespace] = Object.create(null));
    change(entries);
    if (isNewNamespace && Object.keys(entries).length === 0) delete next.namespaces[namespace];
    // NVS writes the new entry before erasing the old one, so a replacement needs room for both at that moment.
    // (Garbage collection reclaims erased entries, never live ones, so even a shrinking replacement can fail.)
    if (this.peakEntries(before, next) > this.capacityEntries) {
      const used = this.usedEntries(before);
      throw new NvsError('NOT_ENOUGH_SPACE', `NVS: partition full (${used}/${this.capacityEntries} entries used)`);
    }
    const text = JSON.stringify(next);
    if (this.options.path) {
      try {
        writeFileAtomic(this.options.path, text);
      } catch (error) {
        throw new NvsError('INTERNAL', `NVS: cannot write ${this.options.path}: ${(error as Error).message}`);
      }
    }
    this.flash = text;
    this.image = next;
  }

  private usedEntries(image: Image = this.image): number {
    let used = 0;
    for (const entries of Object.values(image.namespaces)) {
      used += 1; // the namespace entry
      for (const entry of Object.values(entries)) used += entriesFor(entry);
    }
    return used;
  }

  /** Entries live at the instant the new entries are written and the replaced ones are not yet erased. */
  private peakEntries(before: Image, after: Image): number {
    let peak = this.usedEntries(before);
    for (const [ns, entries] of Object.entries(after.namespaces)) {
      if (!before.namespaces[ns]) peak += 1;
      for (const [key, entry] of Object.entries(entries)) {
        const old = before.namespaces[ns]?.[key];
        if (!old || JSON.stringify(old) !== JSON.stringify(entry)) peak += entriesFor(entry);
      }
    }
    return peak;
  }
}

function checkInteger(type: EntryType, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    // On the chip the C type would silently truncate; here a value outside the type is a firmware bug.
    throw new RangeError(`NVS ${type} value ${value} is outside ${min}..${max}`);
  }
}

class SimNamespace implements NvsNamespace {
  private closed = false;

  constructor(
    private readonly nvs: SimNvs,
    private readonly namespace: string,
    private readonly readOnly: boolean,
    private readonly generation: number,
  ) {}

  getU8(key: string): number | undefined {
    return this.get(key, 'u8') as number | undefined;
  }
  setU8(key: string, value: number): void {
    this.set(key, 'u8', value, () => checkInteger('u8', value, 0, 0xff));
  }
  getU32(key: string): number | undefined {
    return this.get(key, 'u32') as number | undefined;
  }
  setU32(key: string, value: number): void {
    this.set(key, 'u32', value, () => checkInteger('u32', value, 0, 0xffffffff));
  }
  getI32(key: string): number | undefined {
    return this.get(key, 'i32') as number | undefined;
  }
  setI32(key: string, value: number): void {
    this.set(key, 'i32', value, () => checkInteger('i32', value, -0x80000000, 0x7fffffff));
  }
  getString(key: string): string | undefined {
    return this.get(key, 'str') as string | undefined;
  }
  setString(key: string, value: string): void {
    this.set(key, 'str', value, () => {
      if (typeof value !== 'string') throw new TypeError('NVS string value must be a string');
      // NVS strings are C strings: an embedded NUL would silently truncate the value on the chip.
      if (value.includes('\u0000')) throw new RangeError('NVS string value must not contain U+0000');
      const n = byteLength(value);
      if (n > NVS_VALUE_MAX_BYTES) throw new NvsError('VALUE_TOO_LONG', `NVS string of ${n} bytes (max ${NVS_VALUE_MAX_BYTES})`);
    });
  }
  getBlob(key: string): Uint8Array | undefined {
    const stored = this.get(key, 'blob') as string | undefined;
    return stored === undefined ? undefined : new Uint8Array(Buffer.from(stored, 'base64'));
  }
  setBlob(key: string, value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) {
      this.nvs.checkPower();
      throw new TypeError('NVS blob value must be a Uint8Array');
    }
    const encoded = Buffer.from(value).toString('base64');
    this.set(key, 'blob', encoded, () => {
      if (value.length > NVS_VALUE_MAX_BYTES) {
        throw new NvsError('VALUE_TOO_LONG', `NVS blob of ${value.length} bytes (max ${NVS_VALUE_MAX_BYTES})`);
      }
    });
  }

  erase(key: string): void {
    this.writable();
    checkName('key', key);
    if (this.nvs.read(this.namespace, key) === undefined) return; // ESP_ERR_NVS_NOT_FOUND: not an error here
    this.nvs.mutate(this.namespace, (entries) => {
      delete entries[key];
    });
  }

  eraseAll(): void {
    this.writable();
    this.nvs.mutate(this.namespace, (entries) => {
      for (const key of Object.keys(entries)) delete entries[key];
    });
  }

  commit(): void {
    // A step (it can be cut) with nothing to flush: every completed set is already on flash.
    this.writable();
  }

  close(): void {
    this.closed = true;
  }

  private usable(): void {
    this.nvs.checkPower();
    if (this.closed) throw new NvsError('CLOSED', `NVS handle for "${this.namespace}" is closed`);
    if (!this.nvs.isCurrent(this.generation)) {
      throw new NvsError('CLOSED', `NVS handle for "${this.namespace}" was opened before a reboot`);
    }
  }

  /** Every mutating call: power and handle checks, then one step (which the injector may cut), then mode. */
  private writable(): void {
    this.usable();
    this.nvs.beginStep();
    if (this.readOnly) throw new NvsError('READ_ONLY', `NVS namespace "${this.namespace}" was opened readonly`);
  }

  private get(key: string, type: EntryType): number | string | undefined {
    this.usable();
    checkName('key', key);
    const entry = this.nvs.read(this.namespace, key);
    if (entry === undefined) return undefined;
    if (entry.type !== type) {
      throw new NvsError('TYPE_MISMATCH', `NVS key "${this.namespace}/${key}" holds a ${entry.type}, read as ${type}`);
    }
    return entry.value;
  }

  /** A set of a key holding another type replaces it (the key then has the new type): one key, one type, as the
   * seam's TYPE_MISMATCH rule assumes. (Whether ESP-IDF erases the old-typed entry has varied between versions;
   * firmware should not change a key's type, and the C host can erase the key first if it must.) */
  private set(key: string, type: EntryType, value: number | string, validate: () => void): void {
    this.writable();
    checkName('key', key);
    validate();
    this.nvs.mutate(this.namespace, (entries) => {
      entries[key] = { type, value };
    });
  }
}

// ----- power-cut enumeration -----

export interface PowerCutContext {
  /** The step the power was cut at (1-based, counted after `setup`), or undefined for the uninterrupted run. */
  cutAt: number | undefined;
  /** Steps the uninterrupted run takes. */
  totalSteps: number;
}

export interface PowerCutScenario {
  /** NVS options for every run (path is not allowed: each run gets its own in-memory partition). */
  nvs?: Omit<SimNvsOptions, 'path'>;
  /** Brings a fresh NVS into the "before" state (e.g. old credentials). Its steps are never cut. */
  setup?: (nvs: SimNvs) => void | Promise<void>;
  /** The operation under test (e.g. the firmware storing new credentials). It may throw or swallow the
   * POWER_LOSS error however the firmware does; after a cut every NVS call keeps failing until reboot. */
  run: (nvs: SimNvs) => void | Promise<void>;
  /** Called with the rebooted NVS after every run: assert "old or new, never a mix" here. */
  check: (nvs: SimNvs, context: PowerCutContext) => void | Promise<void>;
}

/**
 * Replays `scenario` with a power cut at every NVS step it takes. First it runs once uncut to count the steps
 * (and checks that run with cutAt undefined), then, for n = 1..totalSteps, runs it on a fresh NVS with the cut at
 * step n, reboots, and hands the rebooted NVS to `check`. The scenario must be deterministic in its NVS calls;
 * a run that never reaches its cut step is reported as an error. An exception from `run` is expected (and
 * ignored) only once the power is off; any other exception fails the enumeration.
 *
 *   await forEachPowerCut({
 *     setup: (nvs) => storeCredentials(nvs, OLD),
 *     run: (nvs) => storeCredentials(nvs, NEW),
 *     check: (nvs, { cutAt }) => expect([OLD, NEW]).toContainEqual(loadCredentials(nvs)),
 *   });
 */
export async function forEachPowerCut(scenario: PowerCutScenario): Promise<{ totalSteps: number }> {
  const fresh = async (): Promise<{ nvs: SimNvs; base: number }> => {
    const nvs = new SimNvs(scenario.nvs);
    await scenario.setup?.(nvs);
    return { nvs, base: nvs.steps };
  };

  const clean = await fresh();
  await scenario.run(clean.nvs);
  const totalSteps = clean.nvs.steps - clean.base;
  clean.nvs.reboot();
  await scenario.check(clean.nvs, { cutAt: undefined, totalSteps });

  for (let n = 1; n <= totalSteps; n++) {
    const { nvs, base } = await fresh();
    nvs.cutPowerAt(base + n);
    try {
      await scenario.run(nvs);
    } catch (error) {
      if (!nvs.poweredOff) throw error;
    }
    if (!nvs.poweredOff) {
      throw new Error(`power-cut scenario is not deterministic: the run with the cut at step ${n} never reached it`);
    }
    nvs.reboot();
    await scenario.check(nvs, { cutAt: n, totalSteps });
  }
  return { totalSteps };
}
