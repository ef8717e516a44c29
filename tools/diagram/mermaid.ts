// Mermaid `sequenceDiagram` text for a SequenceModel (tools/diagram/recorder.ts). Emits a small, fixed subset of
// the grammar — participant aliases, ->> / -->> / -) arrows, Note over, rect blocks, autonumber — and escapes
// every label so Mermaid-significant characters (`;` `#` `<` `>` newlines, `%%`) cannot end or alter a statement.
import type { Item, SequenceModel } from './recorder';

export interface MermaidOptions {
  /** Prefix arrows with sequence numbers (Mermaid `autonumber`); default true. */
  autonumber?: boolean;
  /** Prefix labels with the time since start, e.g. "[1.234 s] "; default true. */
  timestamps?: boolean;
}

/** Mermaid arrow for each message kind: solid request, dashed response, open-headed async event. */
export const ARROWS = { request: '->>', response: '-->>', event: '-)' } as const;

// Nested rect colours, light enough that arrows and text stay readable on top of each other.
const RECT_COLOURS = ['rgb(235, 243, 255)', 'rgb(240, 250, 235)', 'rgb(255, 246, 230)', 'rgb(245, 238, 255)'];

/**
 * Escapes label text for use after `:` in a message/note or after `as` in a participant line. Mermaid ends a
 * statement at `;` or a newline and decodes `#name;` entity codes, so `#` itself must be encoded too; `<`/`>`
 * would be taken as HTML. Newlines become `<br/>` (the one HTML tag we emit). Control characters are dropped.
 */
export function escapeMermaid(text: string): string {
  let out = '';
  const lines = String(text).replace(/\r\n?/g, '\n').split('\n');
  lines.forEach((line, index) => {
    if (index > 0) out += '<br/>';
    for (const ch of line) {
      const code = ch.codePointAt(0)!;
      if (code < 0x20 || code === 0x7f) continue;
      switch (ch) {
        case '#': out += '#35;'; break;
        case ';': out += '#59;'; break;
        case '<': out += '#lt;'; break;
        case '>': out += '#gt;'; break;
        case '&': out += '#amp;'; break;
        case '%': out += '#37;'; break; // `%%` starts a comment
        case '"': out += '#quot;'; break;
        default: out += ch;
      }
    }
  });
  // An empty text after ':' is legal but looks like a mistake; say so instead.
  return out.trim() === '' ? '(empty)' : out.trim();
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

export function formatSeconds(ms: number): string {
  return `${seconds(ms)} s`;
}

export function toMermaid(model: SequenceModel, options: MermaidOptions = {}): string {
  const autonumber = options.autonumber ?? true;
  const timestamps = options.timestamps ?? true;
  const lines: string[] = ['sequenceDiagram'];
  if (model.title) lines.push(`  title ${escapeMermaid(model.title)}`);
  if (autonumber) lines.push('  autonumber');
  for (const p of model.participants) lines.push(`  participant ${p.id} as ${escapeMermaid(p.label)}`);
  const first = model.participants[0]!.id;
  const last = model.participants[model.participants.length - 1]!.id;
  const span = first === last ? first : `${first},${last}`;

  const emit = (items: Item[], depth: number): void => {
    const pad = '  '.repeat(depth + 1);
    for (const item of items) {
      if (item.type === 'message') {
        const time = timestamps ? `[${item.repeat ? `${seconds(item.t)}–${formatSeconds(item.repeat.tLast)}` : formatSeconds(item.t)}] ` : '';
        lines.push(`${pad}${item.from}${ARROWS[item.kind]}${item.to}: ${escapeMermaid(time + item.label)}`);
      } else if (item.type === 'note') {
        lines.push(`${pad}Note over ${item.over.join(',')}: ${escapeMermaid(item.text)}`);
      } else {
        // Mermaid's rect has no caption, so the group title is a note across all lifelines as its first line.
        lines.push(`${pad}rect ${RECT_COLOURS[depth % RECT_COLOURS.length]}`);
        lines.push(`${pad}  Note over ${span}: ${escapeMermaid(item.label)}`);
        emit(item.items, depth + 1);
        lines.push(`${pad}end`);
      }
    }
  };
  emit(model.items, 0);
  return lines.join('\n') + '\n';
}
