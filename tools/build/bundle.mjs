// Shared rollup setup: bundles firmware TypeScript (and XS test entries) into one ES2022 script for XS.
// esbuild only strips types (typechecking is `npm run typecheck`); protobufjs/minimal is CommonJS, hence commonjs().
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { rollup } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';

export function plugins({ minify = false } = {}) {
  return [
    nodeResolve({ extensions: ['.ts', '.js', '.mjs'], preferBuiltins: false, browser: true }),
    commonjs(),
    esbuild({ target: 'es2022', tsconfig: 'tsconfig.json', minify: false }),
    ...(minify ? [terser({ ecma: 2020, module: false, compress: { passes: 2 }, format: { comments: false } })] : []),
  ];
}

/** Output as a classic script (IIFE): xsnap-worker evaluates scripts, and the Moddable build links modules itself. */
export function outputOptions(file) {
  return { file, format: 'iife', name: '__firmware', sourcemap: false, strict: true };
}

/** Rollup warnings that are expected here: protobufjs/minimal refers to `this` at top level and carries an
 * eval-based optional require that never runs on XS. */
export function onwarn(warning, warn) {
  if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'EVAL') return;
  warn(warning);
}

/** Bundles `input` in memory: the script text and the files it was built from (for cache invalidation). */
export async function generate(input, { minify = false } = {}) {
  const build = await rollup({ input, plugins: plugins({ minify }), onwarn });
  try {
    const { output } = await build.generate({ ...outputOptions(undefined), file: undefined });
    return { code: output[0].code, watchFiles: build.watchFiles.filter((f) => !f.startsWith('\0')) };
  } finally {
    await build.close();
  }
}

export async function bundle(input, file, { minify = false } = {}) {
  const { code } = await generate(input, { minify });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, code);
  return file;
}
