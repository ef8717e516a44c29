// A validator for the subset of Mermaid's sequenceDiagram grammar that tools/diagram/mermaid.ts emits (no mermaid
// package is available here). It follows the statement rules of Mermaid's sequence grammar: one statement per line
// or `;`, `%%` comments, `#name;` entity codes, participant aliases, arrows, notes and `rect … end` blocks.
// It is deliberately strict: anything outside the subset is an error, so a regression in escaping shows up.

export interface MermaidIssue {
  line: number;
  message: string;
}

const ID = '[A-Za-z][A-Za-z0-9_]*';
const PARTICIPANT = new RegExp(`^participant (${ID}) as (.+)$`);
const MESSAGE = new RegExp(`^(${ID})(->>|-->>|-\\))(${ID}): (.+)$`);
const NOTE = new RegExp(`^Note (?:over (${ID})(?:,(${ID}))?|(?:left|right) of (${ID})): (.+)$`);
const RECT = /^rect rgba?\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*(?:,\s*(?:0|1|0?\.\d+)\s*)?\)$/;
const TITLE = /^title (.+)$/;
// Entity codes Mermaid decodes: decimal numbers or HTML names.
const ENTITY = /^#(?:\d+|[A-Za-z]+);/;

/** Checks free text (after `:` or `as`): no statement separators, no raw `#`, only `<br/>` as markup. */
export function checkText(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).padStart(4, '0')} in text`;
    if (ch === ';') return 'raw ";" ends the statement';
    if (ch === '#') {
      const m = ENTITY.exec(text.slice(i));
      if (!m) return 'raw "#" is not an entity code';
      i += m[0].length - 1;
      continue;
    }
    if (ch === '<') {
      if (text.startsWith('<br/>', i)) {
        i += 4;
        continue;
      }
      return 'raw "<" (HTML) in text';
    }
    if (ch === '>') return 'raw ">" in text';
    if (ch === '%' && text[i + 1] === '%') return '"%%" starts a comment';
  }
  if (text.trim() === '') return 'empty text';
  return undefined;
}

/** Returns the problems found; an empty list means the text is valid in the subset. */
export function validateMermaid(source: string): MermaidIssue[] {
  const issues: MermaidIssue[] = [];
  const lines = source.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const declared = new Set<string>();
  let depth = 0;
  let seenStatement = false;
  let seenArrow = false;
  const problem = (line: number, message: string) => issues.push({ line: line + 1, message });

  if (lines[0] !== 'sequenceDiagram') problem(0, 'first line must be "sequenceDiagram"');
  for (let n = 1; n < lines.length; n++) {
    const raw = lines[n]!;
    const s = raw.trim();
    if (s === '' || s.startsWith('%%')) continue;
    const checkAndReport = (text: string) => {
      const bad = checkText(text);
      if (bad) problem(n, bad);
    };
    const need = (id: string) => {
      if (!declared.has(id)) problem(n, `participant ${id} used before it was declared`);
    };
    let m: RegExpExecArray | null;
    if (s === 'autonumber') {
      if (seenStatement) problem(n, 'autonumber must come before the first arrow');
    } else if ((m = TITLE.exec(s))) {
      if (seenStatement) problem(n, 'title must come first');
      checkAndReport(m[1]!);
    } else if ((m = PARTICIPANT.exec(s))) {
      if (seenArrow) problem(n, 'participants must be declared before the first arrow');
      if (declared.has(m[1]!)) problem(n, `participant ${m[1]} declared twice`);
      declared.add(m[1]!);
      checkAndReport(m[2]!);
    } else if ((m = MESSAGE.exec(s))) {
      need(m[1]!);
      need(m[3]!);
      checkAndReport(m[4]!);
      seenArrow = true;
      seenStatement = true;
    } else if ((m = NOTE.exec(s))) {
      for (const id of [m[1], m[2], m[3]]) if (id) need(id);
      checkAndReport(m[4]!);
      seenStatement = true;
    } else if (RECT.test(s)) {
      depth++;
      seenStatement = true;
    } else if (s === 'end') {
      if (depth === 0) problem(n, '"end" without an open block');
      else depth--;
    } else {
      problem(n, `not a statement of the subset: ${JSON.stringify(s.slice(0, 60))}`);
    }
  }
  if (depth !== 0) problem(lines.length - 1, `${depth} block(s) not closed with "end"`);
  if (declared.size === 0) problem(0, 'no participants');
  return issues;
}
