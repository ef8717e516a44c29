// postinstall: make sure the XS engine from @agoric/xsnap (XS 13.3) is built on this machine.
// - xsnap-worker: built by the package's own postinstall; rebuilt here if npm skipped install scripts.
// - xsnap (CLI, runs `xsnap -m file.js`): not built by the package; `make -f xsnap.mk` takes about 20 s.
// Idempotent: does nothing when both binaries exist.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let pkgDir;
try {
  pkgDir = dirname(require.resolve('@agoric/xsnap/package.json'));
} catch {
  console.log('build-xsnap: @agoric/xsnap is not installed; skipping');
  process.exit(0);
}
const binDir = join(pkgDir, 'xsnap-native', 'xsnap', 'build', 'bin', 'lin', 'release');
export const workerPath = join(binDir, 'xsnap-worker');
// The makefile writes the CLI under the bundled moddable tree, not beside the worker.
export const cliPath = join(pkgDir, 'moddable', 'build', 'bin', 'lin', 'release', 'xsnap');

if (!existsSync(workerPath)) {
  console.log('build-xsnap: building xsnap-worker (npm skipped the package install script)');
  execFileSync('npm', ['run', 'build:from-env'], { cwd: pkgDir, stdio: 'inherit' });
}
if (!existsSync(cliPath)) {
  console.log('build-xsnap: building the xsnap CLI (about 20 s)');
  execFileSync('make', ['-f', 'xsnap.mk', 'GOAL=release', `MODDABLE=${join(pkgDir, 'moddable')}`], {
    cwd: join(pkgDir, 'xsnap-native', 'xsnap', 'makefiles', 'lin'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
for (const p of [workerPath, cliPath]) {
  if (!existsSync(p)) {
    console.error(`build-xsnap: ${p} is missing after the build`);
    process.exit(1);
  }
}
console.log('build-xsnap: XS engine ready');
