// tools/diagram: record an end-to-end run (openremote.md §1.5) as a sequence model and write it as Mermaid text
// (.mmd) and a self-contained SVG. Host-side only; nothing here is needed at runtime by the firmware.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toMermaid, type MermaidOptions } from './mermaid';
import type { SequenceModel, SequenceRecorder } from './recorder';
import { toSvg, type SvgOptions } from './svg';

export * from './recorder';
export { toMermaid, escapeMermaid, type MermaidOptions } from './mermaid';
export { validateMermaid } from './mermaid-check';
export { toSvg, escapeXml, type SvgOptions } from './svg';

/** Writes `<base>.mmd` and `<base>.svg` (creating the folder) and returns both paths. */
export function writeDiagram(
  source: SequenceRecorder | SequenceModel,
  base: string,
  options: { mermaid?: MermaidOptions; svg?: SvgOptions } = {},
): { mmd: string; svg: string } {
  const model = 'model' in source && typeof source.model === 'function' ? source.model() : (source as SequenceModel);
  mkdirSync(dirname(base), { recursive: true });
  const paths = { mmd: `${base}.mmd`, svg: `${base}.svg` };
  writeFileSync(paths.mmd, toMermaid(model, options.mermaid));
  writeFileSync(paths.svg, toSvg(model, options.svg));
  return paths;
}
