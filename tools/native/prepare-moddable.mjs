// Prepares what mcconfig cannot take from npm directly (docs/board.md step 3): the protobufjs runtime that
// firmware/generated/proto.js imports as "protobufjs/minimal.js" is CommonJS spread over several packages, so it
// is bundled here with esbuild into one ES module, build/moddable/protobufjs-minimal.js, which manifest.json maps
// to that specifier. Usage: node tools/native/prepare-moddable.mjs
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outfile = join(root, 'build', 'moddable', 'protobufjs-minimal.js');
mkdirSync(dirname(outfile), { recursive: true });
await build({
  stdin: { contents: "import pb from 'protobufjs/minimal.js';\nexport default pb;\n", resolveDir: root, loader: 'js' },
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['main'],
  target: 'es2022', // what XS 13.3 and XS 17 both run
  outfile,
  logLevel: 'warning',
});
console.log(`prepare-moddable: wrote ${outfile}`);
