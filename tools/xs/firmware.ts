// The firmware on the real XS engine, for the simulator (tools/sim) and the tests (host-tests/xs/harness.ts):
// bundle the simulator entry (firmware/entry/xsnap.ts, the same code `npm run build` bundles), load it into a fresh
// xsnap-worker bridged to a Node Host (tools/sim/xs-bridge.ts), and boot it. Failures to load, a boot that does not
// report completion, and uncaught errors in firmware callbacks throw XsFirmwareError: xsnap itself exits 0 when a
// module throws, so completion is always checked explicitly.
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Host } from '../../firmware/host/index';
import { XsBridge } from '../sim/xs-bridge';
import { XsWorker } from './worker';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export class XsFirmwareError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XsFirmwareError';
  }
}

/** What the entry's 'boot' command answers once boot() returned (firmware/entry/xsnap.ts). */
export interface XsBootStatus {
  status: 'booted';
  mode: 'provisioning' | 'station';
  deviceName?: string;
  httpPort?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Bundling (cached per process; rebuilt when any input file changed).

interface CachedBundle {
  code: string;
  inputs: Map<string, number>;
}
const bundles = new Map<string, CachedBundle>();

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** Bundles a TypeScript entry into one script for xsnap (the same plugins as `npm run build`). */
export async function bundleXsEntry(entryTs: string, { minify = false } = {}): Promise<string> {
  const input = resolve(root, entryTs);
  const key = `${input}|${minify}`;
  const cached = bundles.get(key);
  if (cached && [...cached.inputs].every(([file, m]) => mtime(file) === m)) return cached.code;
  // Dynamic import keeps the .mjs build helper out of the typechecked graph.
  const { generate } = await import(pathToFileURL(join(root, 'tools', 'build', 'bundle.mjs')).href);
  const { code, watchFiles } = (await generate(input, { minify })) as { code: string; watchFiles: string[] };
  bundles.set(key, { code, inputs: new Map(watchFiles.map((f) => [f, mtime(f)] as const)) });
  return code;
}

// ---------------------------------------------------------------------------------------------------------------
// The firmware itself on XS.

export interface XsFirmware {
  worker: XsWorker;
  bridge: XsBridge;
  /** Sends 'boot' (firmware/entry/xsnap.ts); resolves once boot() returned in the worker. */
  boot(config?: unknown): Promise<XsBootStatus>;
  /** Throws XsFirmwareError if a firmware callback threw or XS reported an unhandled rejection. */
  checkUncaught(): void;
  close(): Promise<void>;
}

/** Loads the simulator entry (default firmware/entry/xsnap.ts, the same code `npm run build` bundles) into a fresh
 * worker bridged to `host`. The run's completion marker is boot's reply ({status: 'booted', …}). */
export async function startFirmwareOnXs(
  host: Partial<Host>,
  options: { entry?: string; meteringLimit?: number } = {},
): Promise<XsFirmware> {
  const code = await bundleXsEntry(options.entry ?? 'firmware/entry/xsnap.ts');
  const worker = new XsWorker({ name: 'firmware', meteringLimit: options.meteringLimit });
  const bridge = new XsBridge(worker, host);
  const checkUncaught = () => {
    if (bridge.callbackErrors.length > 0) {
      const list = bridge.callbackErrors.map((e) => `${e.name}: ${e.message}`).join('\n  ');
      throw new XsFirmwareError(`uncaught errors in firmware on XS:\n  ${list}`);
    }
  };
  try {
    await worker.evaluate(code);
  } catch (error) {
    await worker.close().catch(() => {});
    throw new XsFirmwareError(`firmware failed to load on XS: ${(error as Error).message}`);
  }
  return {
    worker,
    bridge,
    async boot(config = {}) {
      const reply = (await bridge.command('boot', config)) as XsBootStatus | undefined;
      if (reply?.status !== 'booted') throw new XsFirmwareError(`boot did not complete on XS (reply ${JSON.stringify(reply)})`);
      checkUncaught();
      return reply;
    },
    checkUncaught,
    close: () => worker.close(),
  };
}
