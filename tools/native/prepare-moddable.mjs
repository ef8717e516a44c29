// Prepares what mcconfig cannot take from npm directly (docs/board.md step 3): the protobufjs runtime that
// firmware/generated/proto.js imports as "protobufjs/minimal.js" is CommonJS spread over several packages, so it
// is bundled here with esbuild into one ES module, build/moddable/protobufjs-minimal.js, which manifest.json maps
// to the specifier "protobufjs/minimal" (XS drops the ".js" when it resolves an import). Free references to
// TextDecoder inside protobufjs are bound to tools/native/moddable/text-decoder.ts: protobufjs creates its decoders
// while it loads, which under Moddable is xsl's preload, where the SDK's native TextDecoder cannot run.
// It also writes build/moddable/proto.js, the generated protobuf module made safe for preload (proto-defaults.mjs).
// Usage: node tools/native/prepare-moddable.mjs (again after `npm run proto`)
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeOverrideSafe } from './moddable/proto-defaults.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outfile = join(root, 'build', 'moddable', 'protobufjs-minimal.js');
mkdirSync(dirname(outfile), { recursive: true });
await build({
  stdin: { contents: "import pb from 'protobufjs/minimal.js';\nexport default pb;\n", resolveDir: root, loader: 'js' },
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['main'],
  inject: [join(root, 'tools', 'native', 'moddable', 'text-decoder.ts')],
  target: 'es2022', // what XS 13.3 and XS 17 both run
  outfile,
  logLevel: 'warning',
});
console.log(`prepare-moddable: wrote ${outfile}`);

// The generated protobuf module, with its field defaults made safe for preload (tools/native/moddable/
// proto-defaults.mjs explains why); manifest.json maps "firmware/generated/proto" to this copy.
const protoOut = join(root, 'build', 'moddable', 'proto.js');
const { code, fields } = makeOverrideSafe(readFileSync(join(root, 'firmware', 'generated', 'proto.js'), 'utf8'));
writeFileSync(protoOut, code);
console.log(`prepare-moddable: wrote ${protoOut} (${fields} field defaults as accessors)`);
