// `npm start` as an integration test (issue 8): the whole seed sequence with the firmware on XS, then a second run
// against the persisted NVS that boots straight online. Same code as the command, in a temporary state folder.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { validateMermaid } from '../../tools/diagram/index';
import { runStart } from '../../tools/start';

const stateDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

test('first run: provisions over BLE into the backend, a value goes up, a write comes down; second run boots online', async () => {
  const lines: string[] = [];
  const first = await runStart({ engine: 'xs', fresh: true, stateDir, print: (l) => lines.push(l) });
  expect(first).toMatchObject({ provisioned: true, deviceId: '0253494D0001', switchEchoed: true });
  expect(first.assetId).toMatch(/^[0-9A-Za-z]{22}$/);
  expect(typeof first.temperature).toBe('number');
  expect(lines).toContain('  ✓ or-cfg ExitProvisioning');
  for (const secret of ['abcd1234', 'secretpass']) expect(lines.join('\n')).not.toContain(secret);

  // The diagram of the actual run: valid Mermaid, an SVG, the phases and the MQTT traffic, no secrets.
  const mmd = readFileSync(first.diagram.mermaid, 'utf8');
  expect(validateMermaid(mmd)).toEqual([]);
  expect(mmd).toMatch(/prov-session/);
  expect(mmd).toMatch(/CONNECT master:0253494d0001/);
  expect(mmd).toMatch(/PUBLISH attributevalue\/switch/);
  expect(existsSync(first.diagram.svg)).toBe(true);
  for (const secret of ['abcd1234', 'secretpass']) expect(mmd + readFileSync(first.diagram.svg, 'utf8')).not.toContain(secret);

  const second = await runStart({ engine: 'xs', fresh: false, stateDir, print: () => {} });
  expect(second).toMatchObject({ provisioned: false, deviceId: '0253494D0001', assetId: first.assetId, switchEchoed: true });
}, 180_000);
