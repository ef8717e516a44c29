// Self-contained SVG rendering of a SequenceModel (tools/diagram/recorder.ts): participant boxes top and bottom,
// lifelines, solid request / dashed response / open-headed event arrows, notes, group rectangles with titles and
// a time column on the left. No browser or Mermaid CLI: widths come from approximate DejaVu Sans text metrics.
import type { GroupItem, Item, MessageItem, NoteItem, SequenceModel } from './recorder';
import { formatSeconds } from './mermaid';

export interface SvgOptions {
  /** Draw sequence numbers at the start of each arrow (matches Mermaid `autonumber`); default true. */
  autonumber?: boolean;
  /** Wrap labels longer than this many characters onto more lines (default 72). */
  wrapAt?: number;
}

const FONT = "'DejaVu Sans', Verdana, Arial, sans-serif";
const MONO = "'DejaVu Sans Mono', Menlo, Consolas, monospace";
const SIZE = 13; // label font size (px)
const LINE = 17; // label line height
const SMALL = 11; // time column / badge font size
const BOX_H = 38;
const MIN_BOX_W = 120;
const MIN_GAP = 40; // between participant boxes
const ARROW_PAD = 14; // label clearance from each arrow end
const BADGE_R = 9;
const SELF_W = 34; // width of a self-message loop
const GROUP_INSET = 10;
const GROUP_TITLE_H = 26;
const MAX_LINES = 4;

// Advance widths of DejaVu Sans in em, by character class. Slight overestimates keep text inside its boxes.
const NARROW = new Set("il.,:;'|!`ij()[]{}I/\\ ");
const SEMI = new Set('frt-"*');
const WIDE = new Set('mwMW@%&');
export function textWidth(text: string, size = SIZE, bold = false, mono = false): number {
  let em = 0;
  for (const ch of text) {
    if (mono) em += 0.61;
    else if (NARROW.has(ch)) em += 0.33;
    else if (SEMI.has(ch)) em += 0.44;
    else if (WIDE.has(ch)) em += 0.95;
    else if (ch >= 'A' && ch <= 'Z') em += 0.72;
    else if (ch >= '0' && ch <= '9') em += 0.64;
    else if (ch.codePointAt(0)! < 0x80) em += 0.6;
    else if (ch.codePointAt(0)! >= 0x2e80) em += 1.0; // CJK and other full-width scripts
    else em += 0.85; // ×, …, →, accented letters: on the safe side
  }
  return em * size * (bold ? 1.14 : 1);
}

/** Escapes text for XML character data and attribute values; drops characters XML 1.0 cannot carry. */
export function escapeXml(text: string): string {
  let out = '';
  for (const ch of String(text)) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && c !== 0x09) || (c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) {
      out += '\ufffd';
      continue;
    }
    switch (ch) {
      case '&': out += '&amp;'; break;
      case '<': out += '&lt;'; break;
      case '>': out += '&gt;'; break;
      case '"': out += '&quot;'; break;
      case "'": out += '&#39;'; break;
      default: out += ch;
    }
  }
  return out;
}

/** Splits on newlines and wraps long lines at spaces (or hard, for unbroken runs); at most MAX_LINES lines. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of String(text).replace(/\r\n?/g, '\n').split('\n')) {
    let rest = para;
    while ([...rest].length > width) {
      const chars = [...rest];
      let cut = chars.slice(0, width + 1).join('').lastIndexOf(' ');
      if (cut < width / 3) cut = chars.slice(0, width).join('').length; // no good space: hard break
      out.push(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
    }
    out.push(rest);
  }
  if (out.length > MAX_LINES) {
    const kept = out.slice(0, MAX_LINES);
    kept[MAX_LINES - 1] = kept[MAX_LINES - 1] + ' …';
    return kept;
  }
  return out;
}

const n = (v: number): string => (Math.round(v * 10) / 10).toString();

interface Layout {
  x: number[]; // lifeline centre per participant
  boxW: number[];
}

/** Column positions: every box fits, and every label fits between the lifelines its arrow or note spans. */
function layoutColumns(model: SequenceModel, wrapAt: number, badge: number): Layout {
  const count = model.participants.length;
  const index = new Map(model.participants.map((p, i) => [p.id, i]));
  const boxW = model.participants.map((p) => Math.max(MIN_BOX_W, textWidth(p.label, SIZE, true) + 28));
  const gaps: number[] = [];
  for (let i = 0; i + 1 < count; i++) gaps.push((boxW[i]! + boxW[i + 1]!) / 2 + MIN_GAP);
  // Constraints: [from index, to index, minimum distance between their lifelines].
  const spans: [number, number, number][] = [];
  const visit = (items: Item[]) => {
    for (const item of items) {
      if (item.type === 'group') visit(item.items);
      else if (item.type === 'message') {
        const a = index.get(item.from)!;
        const b = index.get(item.to)!;
        // Collapsed runs are drawn bold, so measure them bold.
        const w = Math.max(...wrap(item.label, wrapAt).map((l) => textWidth(l, SIZE, item.repeat !== undefined)));
        if (a !== b) spans.push([Math.min(a, b), Math.max(a, b), w + 2 * ARROW_PAD + badge]);
        else if (a + 1 < count) spans.push([a, a + 1, SELF_W + w + 2 * ARROW_PAD]);
      } else {
        const [a, b] = noteSpan(item, index);
        const w = Math.max(...wrap(item.text, wrapAt).map((l) => textWidth(l))) + 20;
        if (a !== b) spans.push([a, b, w - 2 * 12]);
        else {
          if (a > 0) spans.push([a - 1, a, w / 2 + boxW[a - 1]! / 2 + 8]);
          if (a + 1 < count) spans.push([a, a + 1, w / 2 + boxW[a + 1]! / 2 + 8]);
        }
      }
    }
  };
  visit(model.items);
  // Narrow spans first, so a wide label over several columns only adds what its neighbours did not already give.
  spans.sort((p, q) => p[1] - p[0] - (q[1] - q[0]));
  for (const [a, b, need] of spans) {
    let have = 0;
    for (let i = a; i < b; i++) have += gaps[i]!;
    if (have < need) for (let i = a; i < b; i++) gaps[i]! += (need - have) / (b - a);
  }
  const x: number[] = [boxW[0]! / 2];
  for (let i = 0; i < gaps.length; i++) x.push(x[i]! + gaps[i]!);
  return { x, boxW };
}

function noteSpan(note: NoteItem, index: Map<string, number>): [number, number] {
  const a = index.get(note.over[0])!;
  const b = index.get(note.over[1] ?? note.over[0])!;
  return [Math.min(a, b), Math.max(a, b)];
}

function maxDepth(items: Item[]): number {
  let d = 0;
  for (const item of items) if (item.type === 'group') d = Math.max(d, 1 + maxDepth(item.items));
  return d;
}

export function toSvg(model: SequenceModel, options: SvgOptions = {}): string {
  const autonumber = options.autonumber ?? true;
  const wrapAt = options.wrapAt ?? 72;
  const badge = autonumber ? 2 * BADGE_R + 6 : 0;
  const index = new Map(model.participants.map((p, i) => [p.id, i]));
  const { x, boxW } = layoutColumns(model, wrapAt, badge);
  const depth = maxDepth(model.items);

  // Horizontal extents of the drawing, before the time column is added on the left.
  let minX = x[0]! - boxW[0]! / 2;
  let maxX = x[x.length - 1]! + boxW[boxW.length - 1]! / 2;
  const grow = (lo: number, hi: number) => {
    minX = Math.min(minX, lo);
    maxX = Math.max(maxX, hi);
  };

  // Vertical pass: compute y for every element; draw into layers.
  const groupsLayer: string[] = [];
  const groupTitles: string[] = []; // above the lifelines, so a lifeline never crosses a title
  const lifeLayer: string[] = [];
  const mainLayer: string[] = [];
  const timeLayer: { y: number; text: string }[] = [];
  const groupBoxes: { depth: number; y0: number; y1: number; label: string; tStart: number }[] = [];
  const titleH = model.title ? 34 : 0;
  const top = 16 + titleH;
  let y = top + BOX_H + 22;
  let seq = 0;

  const drawMessage = (m: MessageItem) => {
    seq++;
    const a = index.get(m.from)!;
    const b = index.get(m.to)!;
    const lines = wrap(m.label, wrapAt);
    const labelW = Math.max(...lines.map((l) => textWidth(l, SIZE, m.repeat !== undefined)));
    const dash = m.kind === 'response' ? ' stroke-dasharray="7 4"' : '';
    const colour = m.kind === 'event' ? '#1f5fa8' : '#333333';
    const repeated = m.repeat !== undefined;
    const time = { y: 0, text: m.repeat ? `${(m.t / 1000).toFixed(3)}–${formatSeconds(m.repeat.tLast)}` : formatSeconds(m.t) };
    if (a === b) {
      const x0 = x[a]!;
      const tx = x0 + SELF_W + 8;
      const yLine = y + 12;
      lines.forEach((l, i) => mainLayer.push(text(tx, yLine + 4 + i * LINE, l, { anchor: 'start', weight: repeated ? 'bold' : undefined })));
      const y2 = yLine + Math.max(26, lines.length * LINE);
      mainLayer.push(`<path d="M${n(x0)},${n(yLine)} H${n(x0 + SELF_W)} V${n(y2)} H${n(x0 + 6)}" fill="none" stroke="${colour}" stroke-width="1.4"${dash}/>`);
      mainLayer.push(arrowHead(x0, y2, -1, m.kind, colour));
      if (autonumber) mainLayer.push(badgeAt(x0, yLine, seq));
      grow(x0 - BADGE_R, tx + labelW + 8);
      time.y = yLine;
      timeLayer.push(time);
      y = y2 + 18;
      return;
    }
    const dir = b > a ? 1 : -1;
    const x0 = x[a]!;
    const x1 = x[b]!;
    const yArrow = y + lines.length * LINE + 4;
    const cx = (x0 + x1) / 2 + (dir * badge) / 2;
    lines.forEach((l, i) =>
      mainLayer.push(text(cx, y + (i + 1) * LINE - 4, l, { weight: repeated ? 'bold' : undefined, fill: m.kind === 'event' ? colour : undefined })),
    );
    const end = x1 - dir * 1.5;
    if (repeated) {
      // A collapsed run is drawn as a doubled arrow so it reads as "many of these" even without the label.
      mainLayer.push(`<line x1="${n(x0)}" y1="${n(yArrow + 4)}" x2="${n(end - dir * 9)}" y2="${n(yArrow + 4)}" stroke="${colour}" stroke-width="1" opacity="0.45"${dash}/>`);
    }
    mainLayer.push(`<line x1="${n(x0)}" y1="${n(yArrow)}" x2="${n(end - dir * 8)}" y2="${n(yArrow)}" stroke="${colour}" stroke-width="1.4"${dash}/>`);
    mainLayer.push(arrowHead(end, yArrow, dir, m.kind, colour));
    if (autonumber) mainLayer.push(badgeAt(x0, yArrow, seq));
    time.y = yArrow;
    timeLayer.push(time);
    y = yArrow + (repeated ? 24 : 18);
  };

  const drawNote = (note: NoteItem) => {
    const [a, b] = noteSpan(note, index);
    const lines = wrap(note.text, wrapAt);
    const w = Math.max(...lines.map((l) => textWidth(l))) + 20;
    let x0: number;
    let x1: number;
    if (a === b) {
      x0 = x[a]! - Math.max(w, 90) / 2;
      x1 = x[a]! + Math.max(w, 90) / 2;
    } else {
      x0 = x[a]! - 12;
      x1 = Math.max(x[b]! + 12, x0 + w);
    }
    const h = lines.length * LINE + 10;
    mainLayer.push(`<rect x="${n(x0)}" y="${n(y)}" width="${n(x1 - x0)}" height="${n(h)}" rx="2" fill="#fff8c4" stroke="#c9b458" stroke-width="1"/>`);
    lines.forEach((l, i) => mainLayer.push(text((x0 + x1) / 2, y + 5 + (i + 1) * LINE - 4, l, { fill: '#4a4020' })));
    grow(x0, x1);
    y += h + 12;
  };

  const drawItems = (items: Item[], d: number) => {
    for (const item of items) {
      if (item.type === 'message') drawMessage(item);
      else if (item.type === 'note') drawNote(item);
      else drawGroup(item, d);
    }
  };

  const drawGroup = (g: GroupItem, d: number) => {
    const y0 = y;
    y += GROUP_TITLE_H + 8;
    drawItems(g.items, d + 1);
    y += 4;
    groupBoxes.push({ depth: d, y0, y1: y, label: g.label, tStart: g.t });
    y += 14;
  };

  drawItems(model.items, 0);
  const bottomY = y + 6;

  // Group rectangles span every lifeline; nested ones are inset so their edges stay visible.
  const fills = ['#eef4ff', '#eef8ea', '#fff4e3', '#f4eeff'];
  const strokes = ['#8aa8d8', '#8cbf7a', '#d9a45a', '#a98bd6'];
  const outer = depth * GROUP_INSET + 12;
  const gx0 = minX - outer;
  const gx1 = maxX + outer;
  for (const g of groupBoxes.sort((p, q) => p.depth - q.depth)) {
    const inset = g.depth * GROUP_INSET;
    const colour = g.depth % fills.length;
    groupsLayer.push(
      `<rect x="${n(gx0 + inset)}" y="${n(g.y0)}" width="${n(gx1 - gx0 - 2 * inset)}" height="${n(g.y1 - g.y0)}" rx="4" fill="${fills[colour]}" stroke="${strokes[colour]}" stroke-width="1"/>`,
    );
    const tw = textWidth(g.label, 12, true) + 20;
    groupTitles.push(`<path d="M${n(gx0 + inset)},${n(g.y0 + 4)} a4,4 0 0 1 4,-4 H${n(gx0 + inset + tw)} V${n(g.y0 + 16)} l-8,8 H${n(gx0 + inset)} z" fill="${strokes[colour]}"/>`);
    groupTitles.push(text(gx0 + inset + 8, g.y0 + 16, g.label, { anchor: 'start', weight: 'bold', size: 12, fill: '#ffffff' }));
    timeLayer.push({ y: g.y0 + 14, text: formatSeconds(g.tStart) });
  }
  minX = gx0;
  maxX = gx1;

  // Lifelines and participant boxes (top and bottom).
  model.participants.forEach((p, i) => {
    const cx = x[i]!;
    lifeLayer.push(`<line x1="${n(cx)}" y1="${n(top + BOX_H)}" x2="${n(cx)}" y2="${n(bottomY)}" stroke="#9a9a9a" stroke-width="1" stroke-dasharray="3 3"/>`);
    for (const by of [top, bottomY]) {
      mainLayer.push(`<rect x="${n(cx - boxW[i]! / 2)}" y="${n(by)}" width="${n(boxW[i]!)}" height="${BOX_H}" rx="4" fill="#e8e8fb" stroke="#5c5cae" stroke-width="1.2"/>`);
      mainLayer.push(text(cx, by + BOX_H / 2 + 4.5, p.label, { weight: 'bold' }));
    }
  });

  // Time column to the left of everything.
  const timeW = Math.max(textWidth('00.000 s', SMALL, false, true), ...timeLayer.map((t) => textWidth(t.text, SMALL, false, true))) + 16;
  const timeX = minX - 10;
  const timeText: string[] = [];
  timeText.push(text(timeX, top + BOX_H / 2 + 4, 'time', { anchor: 'end', size: SMALL, fill: '#777777', weight: 'bold' }));
  for (const t of timeLayer) {
    timeText.push(text(timeX, t.y + 4, t.text, { anchor: 'end', size: SMALL, fill: '#666666', mono: true }));
  }
  const left = timeX - timeW - 6;
  const width = maxX + 16 - left;
  const height = bottomY + BOX_H + 16;
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="${n(left)} 0 ${n(width)} ${n(height)}" font-family="${escapeXml(FONT)}" font-size="${SIZE}">`,
  );
  out.push(`<rect x="${n(left)}" y="0" width="${n(width)}" height="${n(height)}" fill="#ffffff"/>`);
  if (model.title) out.push(text(left + width / 2, 30, model.title, { weight: 'bold', size: 16 }));
  out.push(`<line x1="${n(timeX + 6)}" y1="${n(top)}" x2="${n(timeX + 6)}" y2="${n(bottomY + BOX_H)}" stroke="#dddddd" stroke-width="1"/>`);
  out.push('<g class="groups">', ...groupsLayer, '</g>');
  out.push('<g class="lifelines">', ...lifeLayer, '</g>');
  out.push('<g class="group-titles">', ...groupTitles, '</g>');
  out.push('<g class="sequence">', ...mainLayer, '</g>');
  out.push('<g class="time">', ...timeText, '</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}

interface TextStyle {
  anchor?: 'start' | 'middle' | 'end';
  weight?: 'bold' | undefined;
  size?: number;
  fill?: string | undefined;
  mono?: boolean;
}

function text(xp: number, yp: number, content: string, style: TextStyle = {}): string {
  const attrs = [`x="${n(xp)}"`, `y="${n(yp)}"`, `text-anchor="${style.anchor ?? 'middle'}"`];
  if (style.weight) attrs.push(`font-weight="${style.weight}"`);
  if (style.size) attrs.push(`font-size="${style.size}"`);
  if (style.fill) attrs.push(`fill="${style.fill}"`);
  if (style.mono) attrs.push(`font-family="${escapeXml(MONO)}"`);
  // xml:space keeps runs of spaces in labels (e.g. aligned values) as the caller wrote them.
  return `<text ${attrs.join(' ')} xml:space="preserve">${escapeXml(content)}</text>`;
}

function arrowHead(xp: number, yp: number, dir: number, kind: MessageItem['kind'], colour: string): string {
  const back = xp - dir * 10;
  const points = `${n(back)},${n(yp - 5)} ${n(xp)},${n(yp)} ${n(back)},${n(yp + 5)}`;
  if (kind === 'event') return `<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="1.4"/>`;
  return `<polygon points="${points}" fill="${colour}"/>`;
}

function badgeAt(xp: number, yp: number, value: number): string {
  const label = String(value);
  const w = Math.max(2 * BADGE_R, textWidth(label, 10, true) + 8);
  return (
    `<rect x="${n(xp - w / 2)}" y="${n(yp - BADGE_R)}" width="${n(w)}" height="${2 * BADGE_R}" rx="${BADGE_R}" fill="#444466"/>` +
    `<text x="${n(xp)}" y="${n(yp + 3.5)}" text-anchor="middle" font-size="10" font-weight="bold" fill="#ffffff">${label}</text>`
  );
}
