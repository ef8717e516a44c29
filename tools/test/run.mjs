// `npm test`: everything CI checks, in order, failing fast.
// 1. the XS engine is built (postinstall may have been skipped); 2. the Debian packages the tests use are installed
// (once, before parallel test workers start); 3. generated protobuf code matches proto/; 4. typecheck (firmware
// without Node typings); 5. vitest (Node and XS suites, C hosts, real brokers, fuzz budgets for CI).
import { spawnSync } from 'node:child_process';

const steps = [
  ['node', ['tools/xs/build-xsnap.mjs']],
  ['node', ['tools/setup/system-packages.mjs']],
  ['node', ['tools/proto/gen.mjs', '--check']],
  ['npx', ['tsc', '-p', 'tsconfig.json']],
  ['npx', ['tsc', '-p', 'tsconfig.tools.json']],
  ['npx', ['vitest', 'run']],
];
for (const [cmd, args] of steps) {
  console.log(`\n> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\nnpm test: step failed: ${cmd} ${args.join(' ')} (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}
