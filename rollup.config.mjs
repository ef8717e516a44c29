// `npm run build`: the firmware bundle for the XS engine (simulator entry), raw and minified.
// The chip build does not use this file: mcconfig compiles firmware/*.ts module by module (manifest.json).
import { onwarn, outputOptions, plugins } from './tools/build/bundle.mjs';

const input = 'firmware/entry/xsnap.ts';

export default [
  { input, plugins: plugins(), output: outputOptions('build/firmware.js'), onwarn },
  { input, plugins: plugins({ minify: true }), output: outputOptions('build/firmware.min.js'), onwarn },
];
