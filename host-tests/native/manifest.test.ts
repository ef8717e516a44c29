// Consistency of manifest.json (Moddable SDK 8 build, moddable-xs.md §1.1) with the tree: every firmware module
// and every native C host that exists is listed, every listed path exists, the esp32 and lin sections name the
// same hosts (only the platform backends differ), every native('xs_…') the TypeScript glue calls is defined in a
// C binding, preloaded modules have no mutable static fields (functions are frozen after preload), and the
// committed config is a valid BootConfig.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateBootConfig, type BootConfig } from '../../firmware/app/config';

const root = process.cwd();
const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
const modules: Record<string, string | string[]> = manifest.modules;
const esp32: string[] = manifest.platforms.esp32.modules['*'];
const lin: string[] = manifest.platforms.lin.modules['*'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [relative(root, path)];
  });
}

// Simulator-only code and typings-only folders that the board build must not contain.
const NOT_ON_BOARD = [/^firmware\/entry\//, /^firmware\/host\/xsnap\//, /^firmware\/host\/esp32\/types\//];
const firmwareSources = walk(join(root, 'firmware')).filter(
  (f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !NOT_ON_BOARD.some((re) => re.test(f)),
);

/** The manifest entry that provides a source file: its directory wildcard, or an explicit specifier. */
function providedBy(file: string): string | undefined {
  const dir = file.slice(0, file.lastIndexOf('/'));
  const base = file.replace(/\.(ts|js)$/, '');
  const wildcard = `${dir}/*`;
  if (modules[wildcard] === `./${dir}/*`) return wildcard;
  // The generated protobuf module is built from its preload-safe copy (tools/native/prepare-moddable.mjs).
  if (base === 'firmware/generated/proto') return modules[base] === './build/moddable/proto' ? base : undefined;
  return Object.keys(modules).find((k) => modules[k] === `./${base}`);
}

function existsWithExtension(path: string, exts: string[]): boolean {
  return exts.some((ext) => existsSync(join(root, path + ext)));
}

describe('manifest.json', () => {
  it('lists every firmware module (directory wildcards; protobuf module under its import specifier)', () => {
    expect(firmwareSources.length).toBeGreaterThan(10);
    const missing = firmwareSources.filter((f) => !providedBy(f));
    expect(missing).toEqual([]);
    // The generated module is imported as '../generated/proto.js' and imports 'protobufjs/minimal.js'. XS (xsl at
    // link time, and fxFindModule at run time) drops a trailing ".js" from a specifier before looking the module
    // up, so the manifest keys carry no extension: a ".js" key gives "module not found" in xsl (checked with
    // Moddable SDK 8.2.3, docs/board.md "What was checked with the real SDK").
    // The board build takes the generated module from build/moddable/proto.js: the same code with its field
    // defaults made preload-safe (tools/native/moddable/proto-defaults.mjs, host-tests/native/proto-defaults.test.ts).
    expect(modules['firmware/generated/proto']).toBe('./build/moddable/proto');
    expect(modules['protobufjs/minimal']).toBe('./build/moddable/protobufjs-minimal');
    expect(Object.keys(modules).filter((k) => k.endsWith('.js'))).toEqual([]);
  });

  it('points every module entry at an existing folder or file', () => {
    for (const [key, value] of Object.entries(modules)) {
      for (const path of [value].flat()) {
        if (path.endsWith('/*')) expect(existsSync(join(root, path.slice(0, -2))), key).toBe(true);
        else if (!path.startsWith('./build/')) expect(existsWithExtension(path, ['.ts', '.js']), key).toBe(true);
      }
    }
    const main: string = manifest.creation.main;
    expect(existsSync(join(root, `${main}.ts`))).toBe(true);
    expect(providedBy(`${main}.ts`)).toBeDefined();
  });

  it('lists every native C host for esp32, and only files that exist', () => {
    const hostSources = walk(join(root, 'native'))
      .filter((f) => f.endsWith('.c') && !/^native\/(tests|mocks|lin)\//.test(f) && !f.endsWith('nc_os_posix.c'))
      .map((f) => `./${f.slice(0, -2)}`);
    expect(hostSources.length).toBeGreaterThanOrEqual(12);
    expect(hostSources.filter((f) => !esp32.includes(f))).toEqual([]);
    for (const path of [...esp32, ...lin]) expect(existsWithExtension(path, ['.c', '.h']), path).toBe(true);
  });

  it('names the same hosts in the esp32 and lin sections (only platform backends differ)', () => {
    const backend = (p: string) => /nc_os_(freertos|posix)$/.test(p) || /^\.\/native\/(lin|mocks)\//.test(p);
    expect(esp32.filter((p) => !backend(p)).sort()).toEqual(lin.filter((p) => !backend(p)).sort());
    expect(esp32).toContain('./native/common/nc_os_freertos');
    expect(lin).toContain('./native/common/nc_os_posix');
  });

  // Checked against Moddable SDK 8.2.3 (docs/board.md "What was checked with the real SDK"): the SDK's lin runtime
  // declares no modMessagePostToMachine, so the simulator needs its own; and mc.so must name the host mbedTLS
  // libraries or dlopen fails on the first PSA symbol. mcconfig writes a build variable into the makefile with
  // every space escaped, so LIBRARIES is one word: the linker options are passed through -Wl, comma-separated.
  it('gives the lin simulator its message queue and links it against the host mbedTLS', () => {
    expect(lin).toContain('./native/lin/xs_message_sim');
    expect(esp32).not.toContain('./native/lin/xs_message_sim');
    const libraries: string = manifest.platforms.lin.build.LIBRARIES;
    expect(libraries).not.toMatch(/\s/);
    expect(libraries.split(',').filter((a) => a.startsWith('-l'))).toEqual(['-lmbedtls', '-lmbedx509', '-lmbedcrypto']);
  });

  it('pulls the ESP-IDF components the hosts call', () => {
    const deps = manifest.platforms.esp32.dependency.map((d: { idf: string }) => d.idf);
    expect(deps).toEqual(expect.arrayContaining(['bt', 'esp_wifi', 'esp_netif', 'nvs_flash', 'mbedtls', 'esp-tls']));
  });

  it('defines every native function the TypeScript glue calls in a C binding', () => {
    const glue = walk(join(root, 'firmware/host/esp32')).filter((f) => f.endsWith('.ts'));
    const used = new Set<string>();
    for (const f of glue) {
      for (const m of readFileSync(join(root, f), 'utf8').matchAll(/\b[Nn]ative\('(xs_[a-z0-9_]+)'\)/g)) used.add(m[1]!);
    }
    const defined = new Set<string>();
    for (const f of walk(join(root, 'native')).filter((f) => f.endsWith('_xs.c'))) {
      for (const m of readFileSync(join(root, f), 'utf8').matchAll(/^(?:void |GETTER\(|SETTER\()(xs_[a-z0-9_]+)[(,]/gm)) defined.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(40);
    expect([...used].filter((n) => !defined.has(n))).toEqual([]);
    // Each binding file is listed for the board.
    for (const f of walk(join(root, 'native')).filter((f) => f.endsWith('_xs.c'))) {
      expect(esp32).toContain(`./${f.slice(0, -2)}`);
    }
  });

  // Preloaded modules run at build time in xsl and live in flash. Objects and module variables stay writable
  // (XS keeps the changes in RAM), but every function is frozen afterwards, class constructors included
  // (Moddable documentation/xs/preload.md "Automatic Freezing"), so a mutable static field throws on its first
  // write on the chip and never on Node or xsnap. Modules imported by a preloaded module are preloaded too.
  // mcconfig 8.2.3 matches a wildcard preload entry ("firmware/*") against JavaScript modules only, never
  // TypeScript ones (tools/mcconfig.js filterPreload), so every TypeScript module is listed by its exact
  // specifier. Without that nothing was preloaded and boot needed ~2.5x the heap slots (measured on lin,
  // docs/board.md "What was checked with the real SDK").
  it('preloads every board module but the ESP32 glue and main, by exact specifier, none with mutable statics', () => {
    const preload: string[] = manifest.preload;
    expect(preload.filter((p) => p.includes('*'))).toEqual([]);
    const specifier = (f: string) => f.replace(/\.(ts|js)$/, '');
    const expected = firmwareSources
      .filter((f) => !f.startsWith('firmware/host/esp32/'))
      .map(specifier)
      .sort();
    expect([...preload].sort()).toEqual(expected);
    const offenders: string[] = [];
    const mutableStatic = /^\s*(?:(?:private|public|protected)\s+)?static\s+(?!readonly\b|async\b|get\b|set\b)[#\w$]+\s*[=;:!?]/m;
    for (const f of firmwareSources) {
      if (!preload.includes(specifier(f))) continue;
      if (mutableStatic.test(readFileSync(join(root, f), 'utf8'))) offenders.push(f);
    }
    expect(offenders).toEqual([]);
    expect(mutableStatic.test('  static count = 0;')).toBe(true); // the check itself
    expect(mutableStatic.test('  static readonly LIMIT = 3;')).toBe(false);
    expect(mutableStatic.test('  static create(x: number) {')).toBe(false);
  });

  it('pins the TypeScript target/lib the SDK typings need (es2024 works with TypeScript 5.9 and 6+)', () => {
    const options = manifest.typescript.tsconfig.compilerOptions;
    expect(options.target).toBe('es2024');
    expect(options.lib).toEqual(['es2024']);
  });

  it('carries a development BootConfig that boot() accepts (ESP-IDF example sec2 credentials)', () => {
    const config = manifest.config as BootConfig;
    expect(() => validateBootConfig(config)).not.toThrow();
    expect(config.security.version).toBe(2);
    // The development image provisions over BLE only; SoftAP is a per-product choice (docs/board.md section 3).
    expect(config.transports.softap).toBeUndefined();
  });
});
