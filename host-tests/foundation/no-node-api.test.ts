// Firmware runs on XS (the chip and xsnap): no Node API anywhere in firmware/ (issue 2). Two guards: the firmware
// typecheck has no Node typings (so Buffer, process and node:* are compile errors there), and a scan of the sources
// for Node-only imports and globals, which also covers code a future tsconfig change might exclude.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const NODE_BUILTINS = ['fs', 'net', 'tls', 'crypto', 'buffer', 'events', 'stream', 'os', 'path', 'child_process', 'http', 'https', 'util', 'zlib', 'url'];
const FORBIDDEN: [RegExp, string][] = [
  [/from\s+['"]node:[^'"]+['"]/, 'node:* import'],
  [new RegExp(`from\\s+['"](${NODE_BUILTINS.join('|')})['"]`), 'Node built-in import'],
  // Globals only: `(?<![.\w$#])` skips methods (timers.setTimeout(), this.#require()), and `(?!\s*\w+\??:)` skips
  // method declarations with typed parameters (`setTimeout(callback: () => void, …)` in the TimerHost contract).
  [/(?<![.\w$#])require\s*\((?!\s*\w+\??:)/, 'require()'],
  [/(?<![.\w$#])Buffer\s*\./, 'Buffer'],
  [/(?<![.\w$#])process\s*\./, 'process'],
  [/(?<![.\w$#])(setTimeout|setInterval|setImmediate)\s*\((?!\s*\w+\??:)/, 'a timer global (use the TimerHost)'],
  [/(?<![.\w$#])console\s*\./, 'console (use the Logger)'],
];

describe('no Node API in firmware/', () => {
  test('the firmware typecheck has no Node (or DOM) typings and targets ES2022', () => {
    const tsconfig = readFileSync(join(root, 'tsconfig.json'), 'utf8');
    expect(tsconfig).toMatch(/"types":\s*\[\]/);
    expect(tsconfig).toMatch(/"lib":\s*\["ES2022"\]/);
    expect(tsconfig).toMatch(/"include":\s*\["firmware\/\*\*\/\*\.ts"\]/);
  });

  test('no firmware source imports Node modules or uses Node-only globals', () => {
    const offenders: string[] = [];
    for (const file of sources(join(root, 'firmware'))) {
      const rel = relative(root, file);
      if (rel.startsWith('firmware/generated/')) continue; // protobufjs output, checked by running on XS
      // Comments may mention what is forbidden; strip them before scanning.
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
      for (const [pattern, what] of FORBIDDEN) if (pattern.test(code)) offenders.push(`${rel}: ${what}`);
    }
    expect(offenders).toEqual([]);
  });

  test('module-level constant tables are frozen (Moddable preload keeps frozen objects in flash, copies others to RAM)', () => {
    const unfrozen: string[] = [];
    for (const file of sources(join(root, 'firmware'))) {
      const rel = relative(root, file);
      if (rel.startsWith('firmware/generated/')) continue;
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/^(?:export )?const ([A-Z_][A-Z0-9_]*)(?::[^=\n]+)? = ([\[{])/gm)) unfrozen.push(`${rel}: ${m[1]}`);
    }
    expect(unfrozen).toEqual([]);
  });
});

