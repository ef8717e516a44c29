// Mermaid text (tools/diagram/mermaid.ts) and its subset validator (tools/diagram/mermaid-check.ts): escaping of
// statement-breaking characters, structure of the emitted diagram, and the validator catching broken text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordExampleRun } from '../../tools/diagram/example';
import { escapeMermaid, toMermaid } from '../../tools/diagram/mermaid';
import { checkText, validateMermaid } from '../../tools/diagram/mermaid-check';
import { SequenceRecorder, type Item } from '../../tools/diagram/recorder';

const BUDGET = Math.min(Number(process.env.FUZZ_BUDGET ?? 2000), 20000);

/** What a Mermaid renderer shows for escaped text: entity codes decoded, <br/> as a line break. */
function unescape(text: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
  return text
    .split('<br/>')
    .join('\n')
    .replace(/#(\d+|[a-z]+);/g, (_, code: string) => (/^\d+$/.test(code) ? String.fromCodePoint(Number(code)) : named[code]!));
}

describe('escapeMermaid', () => {
  it('encodes every character that could end or change a statement', () => {
    expect(escapeMermaid('a;b')).toBe('a#59;b');
    expect(escapeMermaid('#1 <x> & "y"')).toBe('#35;1 #lt;x#gt; #amp; #quot;y#quot;');
    expect(escapeMermaid('100%% done')).toBe('100#37;#37; done');
    expect(escapeMermaid('line1\nline2\r\nline3')).toBe('line1<br/>line2<br/>line3');
    expect(escapeMermaid('tab\there\u0000')).toBe('tabhere');
    expect(escapeMermaid('   ')).toBe('(empty)');
    expect(escapeMermaid('mqtts://h:8883 ×37 …')).toBe('mqtts://h:8883 ×37 …');
  });

  it('round-trips arbitrary text (minus control characters) and always passes the text check', () => {
    const special = fc.constantFrom(';', '#', '<', '>', '&', '%', '"', '\n', ':', '-->>', 'end', '#59;', '<br/>', ' ');
    const text = fc.array(fc.oneof(fc.string(), special, fc.string({ unit: 'grapheme' })), { maxLength: 8 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, (s) => {
        const escaped = escapeMermaid(s);
        expect(checkText(escaped)).toBeUndefined();
        expect(escaped).not.toContain('\n'); // ';' only survives inside entity codes (checked by checkText)
        const expected = s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '');
        const plain = unescape(escaped);
        if (plain === '(empty)' && expected.replace(/\n/g, '').trim() === '' && !expected.includes('\n')) return;
        // Nothing but edge blanks may be lost, and every line break survives as exactly one.
        expect(plain.replace(/\s/g, '')).toBe(expected.replace(/\s/g, ''));
        expect(plain.split('\n')).toHaveLength(expected.split('\n').length);
      }),
      { numRuns: BUDGET },
    );
  });
});

describe('validateMermaid', () => {
  const ok = 'sequenceDiagram\n  autonumber\n  participant a as A\n  participant b as B\n  a->>b: hi\n  b-->>a: ok\n';
  it('accepts the subset', () => {
    expect(validateMermaid(ok)).toEqual([]);
    expect(validateMermaid(ok + '  rect rgb(1, 2, 3)\n  Note over a,b: x #59; y<br/>z\n  a-)b: e\n  end\n')).toEqual([]);
  });

  it.each([
    ['a raw semicolon', ok + '  a->>b: one; two\n', /";"/],
    ['a raw hash', ok + '  a->>b: #1\n', /"#"/],
    ['raw HTML', ok + '  a->>b: <b>x</b>\n', /"<"/],
    ['an undeclared participant', ok + '  a->>c: x\n', /participant c/],
    ['an unclosed block', ok + '  rect rgb(1,2,3)\n  a->>b: x\n', /not closed/],
    ['a stray end', ok + '  end\n', /without an open block/],
    ['an unknown statement', ok + '  a=>>b: x\n', /not a statement/],
    ['a missing header', ok.replace('sequenceDiagram', 'graph TD'), /first line/],
    ['a participant after an arrow', ok + '  participant c as C\n', /before the first arrow/],
    ['a comment marker in text', ok + '  a->>b: 100%% done\n', /comment/],
    ['empty text', ok + '  a->>b:  \n', /not a statement|empty/],
  ])('rejects %s', (_, text, why) => {
    const issues = validateMermaid(text);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.map((i) => i.message).join('; ')).toMatch(why);
  });
});

describe('toMermaid', () => {
  it('renders the example run as valid Mermaid with one line per arrow, note and group', () => {
    const model = recordExampleRun().model();
    const text = toMermaid(model);
    expect(validateMermaid(text)).toEqual([]);
    const count = (items: Item[], type: Item['type']): number =>
      items.reduce((n, i) => n + (i.type === type ? 1 : 0) + (i.type === 'group' ? count(i.items, type) : 0), 0);
    const lines = text.trimEnd().split('\n').map((l) => l.trim());
    expect(lines.filter((l) => /^\w+(->>|-->>|-\))\w+: /.test(l))).toHaveLength(count(model.items, 'message'));
    expect(lines.filter((l) => l.startsWith('rect '))).toHaveLength(count(model.items, 'group'));
    // Group titles are notes too.
    expect(lines.filter((l) => l.startsWith('Note over'))).toHaveLength(count(model.items, 'note') + count(model.items, 'group'));
    expect(lines.slice(0, 4)).toEqual(['sequenceDiagram', 'title OpenRemote provisioning (example run)', 'autonumber', 'participant phone as Phone app (tools/prov)']);
    expect(text).toContain('phone->>device: [5.696–7.136 s] or-cfg BackendConnectionStatus (id 8…38) ×31 (1.4 s)');
    expect(text).toContain('device-->>phone: [5.741–7.181 s] BackendConnectionStatus ×31 (CONNECTING…CONNECTED, 1.4 s)');
    expect(text).toContain('Note over device: stop provisioning after<br/>cleanup delay#59; free BT memory');
    expect(text).not.toContain('correct-horse-battery');
    expect(text).not.toContain('q7Rk2mZp9XcV4bNw');
  });

  it('maps kinds to arrows and can leave out numbering and times', () => {
    const rec = new SequenceRecorder([{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }], { clock: () => 0 });
    rec.request('a', 'b', 'req');
    rec.response('b', 'a', 'resp');
    rec.event('a', 'b', 'evt');
    rec.request('a', 'a', 'self');
    expect(toMermaid(rec.model(), { autonumber: false, timestamps: false })).toBe(
      'sequenceDiagram\n  participant a as A\n  participant b as B\n  a->>b: req\n  b-->>a: resp\n  a-)b: evt\n  a->>a: self\n',
    );
  });

  it('stays valid whatever the labels contain: one statement per recorded item', () => {
    const label = fc.string({ unit: fc.constantFrom('a', ' ', ';', '#', '<', '>', '\n', '%', '&', ':', 'e', 'n', 'd', '-', '»') , maxLength: 20 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.constantFrom('a', 'b'), label, fc.boolean()), { maxLength: 12 }), label, (msgs, participant) => {
        const rec = new SequenceRecorder([{ id: 'a', label: participant || 'A' }, { id: 'b', label: 'B' }], { clock: () => 0, minRepeat: 0 });
        rec.group(participant, () => {
          for (const [from, to, text, asNote] of msgs) {
            if (asNote) rec.note(from, text);
            else rec.request(from, to, text);
          }
        });
        const out = toMermaid(rec.model());
        expect(validateMermaid(out)).toEqual([]);
        // header, autonumber, 2 participants, rect, group title, items, end
        expect(out.trimEnd().split('\n')).toHaveLength(4 + 2 + msgs.length + 1);
      }),
      { numRuns: Math.ceil(BUDGET / 4) },
    );
  });
});
