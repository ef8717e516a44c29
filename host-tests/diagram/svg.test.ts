// SVG renderer (tools/diagram/svg.ts): well-formed XML for any label, text that neither overlaps nor leaves the
// canvas, deterministic output, and golden files of the example run (reviewed visually as PNG before committing;
// regenerate with UPDATE_GOLDEN=1 after an intended change and look at the result again).
import fc from 'fast-check';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { recordExampleRun } from '../../tools/diagram/example';
import { toMermaid } from '../../tools/diagram/mermaid';
import { SequenceRecorder } from '../../tools/diagram/recorder';
import { escapeXml, textWidth, toSvg, wrap } from '../../tools/diagram/svg';
import { parseXml, walk, type XmlElement } from './xml';

const BUDGET = Math.min(Number(process.env.FUZZ_BUDGET ?? 1000), 10000);
const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}`, import.meta.url));

interface Box {
  text: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Approximate ink box of every <text>, from the same metrics the renderer uses (checked against rsvg output). */
function textBoxes(root: XmlElement): Box[] {
  return walk(root)
    .filter((e) => e.name === 'text')
    .map((e) => {
      const size = Number(e.attrs['font-size'] ?? root.attrs['font-size']);
      const w = textWidth(e.text, size, e.attrs['font-weight'] === 'bold', (e.attrs['font-family'] ?? '').includes('Mono'));
      const x = Number(e.attrs.x);
      const y = Number(e.attrs.y);
      const anchor = e.attrs['text-anchor'] ?? 'start';
      const x0 = anchor === 'middle' ? x - w / 2 : anchor === 'end' ? x - w : x;
      return { text: e.text, x0, x1: x0 + w, y0: y - size * 0.8, y1: y + size * 0.22 };
    });
}

function overlaps(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

describe('svg helpers', () => {
  it('escapeXml encodes markup and drops what XML 1.0 cannot carry', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeXml('a\u0000b\u0008c\td\ud800e')).toBe('a\ufffdb\ufffdc\td\ufffde');
    expect(escapeXml('×…→ 日本')).toBe('×…→ 日本');
  });

  it('wrap breaks at spaces, hard-breaks long words, keeps newlines and caps the line count', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    expect(wrap('one\ntwo', 40)).toEqual(['one', 'two']);
    const many = wrap('w '.repeat(200), 10);
    expect(many).toHaveLength(4);
    expect(many[3]!.endsWith('…')).toBe(true);
  });

  it('the XML checker rejects malformed documents (so the tests below can fail)', () => {
    for (const bad of ['<a><b></a></b>', '<a x=1/>', '<a>&nbsp;</a>', '<a>x & y</a>', '<a x="<"/>', '<a/><b/>', '<a>', 'text', '<a x="1" x="2"/>', '<a>\u0001</a>']) {
      expect(() => parseXml(bad), bad).toThrow(/XML error/);
    }
    expect(parseXml('<?xml version="1.0"?>\n<a k="&lt;&#35;">t&amp;<b/></a>\n')).toEqual({
      name: 'a',
      attrs: { k: '<#' },
      text: 't&',
      children: [{ name: 'b', attrs: {}, text: '', children: [] }],
    });
  });
});

describe('toSvg', () => {
  const model = recordExampleRun().model();
  const svg = toSvg(model);
  const root = parseXml(svg);

  it('is a well-formed SVG with a size and a white background', () => {
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    const [vx, vy, vw, vh] = root.attrs.viewBox!.split(' ').map(Number);
    expect([vw, vh]).toEqual([Number(root.attrs.width), Number(root.attrs.height)]);
    expect(vy).toBe(0);
    expect(Number.isFinite(vx)).toBe(true);
    for (const e of walk(root)) for (const v of Object.values(e.attrs)) expect(v).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('draws each participant twice, every arrow with its number, and every label', () => {
    const texts = walk(root).filter((e) => e.name === 'text').map((e) => e.text);
    for (const p of model.participants) expect(texts.filter((t) => t === p.label)).toHaveLength(2);
    const arrows = texts.filter((t) => /^\d+$/.test(t)).map(Number);
    expect(arrows).toEqual(Array.from({ length: arrows.length }, (_, i) => i + 1));
    expect(arrows.length).toBe(43);
    const all = texts.join(' ');
    expect(all).toContain('BackendConnectionStatus ×31 (CONNECTING…CONNECTED, 1.4 s)');
    expect(all).toContain('5.696–7.136 s');
    expect(all).toContain('<redacted 16 chars>');
    expect(svg).not.toContain('q7Rk2mZp9XcV4bNw');
    expect(svg).not.toContain('correct-horse-battery');
    // Responses are dashed, requests are not.
    const lines = walk(root).filter((e) => e.name === 'line' && e.attrs['stroke-width'] === '1.4');
    expect(lines.filter((l) => l.attrs['stroke-dasharray']).length).toBeGreaterThan(10);
    expect(lines.filter((l) => !l.attrs['stroke-dasharray']).length).toBeGreaterThan(10);
  });

  it('no two texts overlap and all text is on the canvas', () => {
    const boxes = textBoxes(root);
    const [vx, , vw, vh] = root.attrs.viewBox!.split(' ').map(Number) as [number, number, number, number];
    for (const b of boxes) {
      expect(b.x0, b.text).toBeGreaterThanOrEqual(vx);
      expect(b.x1, b.text).toBeLessThanOrEqual(vx + vw);
      expect(b.y1, b.text).toBeLessThanOrEqual(vh);
    }
    const clashes: string[] = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) if (overlaps(boxes[i]!, boxes[j]!)) clashes.push(`${boxes[i]!.text} / ${boxes[j]!.text}`);
    expect(clashes).toEqual([]);
  });

  it('labels keep clear of the number badges and participant boxes (labels fit their columns)', () => {
    const rects = walk(root).filter((e) => e.name === 'rect' && (e.attrs.fill === '#444466' || e.attrs.fill === '#e8e8fb'));
    expect(rects.length).toBe(43 + 2 * model.participants.length);
    const boxes = textBoxes(root).filter((b) => !/^\d+$/.test(b.text) && !model.participants.some((p) => p.label === b.text));
    const clashes: string[] = [];
    for (const r of rects) {
      const rb = { text: '', x0: Number(r.attrs.x), y0: Number(r.attrs.y), x1: Number(r.attrs.x) + Number(r.attrs.width), y1: Number(r.attrs.y) + Number(r.attrs.height) };
      for (const b of boxes) if (overlaps(rb, b)) clashes.push(`${b.text} @ ${rb.x0},${rb.y0}`);
    }
    expect(clashes).toEqual([]);
  });

  it('is deterministic and matches the reviewed golden files', () => {
    const again = recordExampleRun().model();
    expect(toSvg(again)).toBe(svg);
    const mmd = toMermaid(again);
    if (process.env.UPDATE_GOLDEN === '1') {
      writeFileSync(golden('example.svg'), svg);
      writeFileSync(golden('example.mmd'), mmd);
    }
    expect(existsSync(golden('example.svg')), 'golden file missing: run with UPDATE_GOLDEN=1 and review it').toBe(true);
    expect(svg).toBe(readFileSync(golden('example.svg'), 'utf8'));
    expect(mmd).toBe(readFileSync(golden('example.mmd'), 'utf8'));
  });

  it('stays well-formed with hostile labels, self-messages, notes and nested groups', () => {
    const label = fc.string({ unit: fc.constantFrom('a', 'W', ' ', '<', '>', '&', '"', "'", '\n', '\u0000', '\ud800', '×', '日', ']]>'), maxLength: 120 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), label, fc.integer({ min: 0, max: 4 })), { maxLength: 10 }),
        label,
        (steps, title) => {
          const ids = ['a', 'b', 'c', 'd'];
          const rec = new SequenceRecorder(ids.map((id) => ({ id, label: title || id })), { clock: () => 0, title });
          const g = rec.begin(title);
          for (const [f, t, text, what] of steps) {
            if (what === 0) rec.note(ids[f]!, text);
            else if (what === 1) rec.note([ids[f]!, ids[t]!], text);
            else if (what === 2) rec.begin(text);
            else rec.message(ids[f]!, ids[t]!, text, { kind: what === 3 ? 'response' : 'event' });
          }
          rec.end(g);
          const out = toSvg(rec.model());
          const parsed = parseXml(out);
          for (const e of walk(parsed)) for (const v of Object.values(e.attrs)) expect(v).not.toMatch(/NaN|undefined|Infinity/);
        },
      ),
      { numRuns: Math.ceil(BUDGET / 4) },
    );
  });
});
