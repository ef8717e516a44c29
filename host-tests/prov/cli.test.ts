// The command line (tools/prov/main.ts) as a user runs it, against the device stack in this process: one progress
// line per step, no secret in stdout/stderr, exit status = OpenRemote error code & 0xff on failure.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDevice, type TestDevice } from './device';
import { expectNoSecrets, POP, WIFI_PASS } from './helpers';
import { optionsFromArgv } from '../../tools/prov/main';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node_modules/.bin/tsx', ['tools/prov/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as NodeJS.ErrnoException & { code?: number }).code as unknown as number) : 0, stdout, stderr });
    });
  });
}

let device: TestDevice | undefined;
afterEach(async () => {
  await device?.stop();
  device = undefined;
});

describe('tools/prov CLI', () => {
  it('parses the documented options and takes secrets from the environment', () => {
    const o = optionsFromArgv(['--transport', 'httpd', '--http', '127.0.0.1:80', '--sec-ver', '2', '--ssid', 'S', '--openremote', '--backend', 'http://h:1', '--user', 'u'], {
      PROV_POP: 'p0p-from-env',
      PROV_PASSPHRASE: 'pass-from-env',
      OR_PASSWORD: 'pw-from-env',
    });
    expect(o).toMatchObject({ transport: 'httpd', secVer: 2, pop: 'p0p-from-env', passphrase: 'pass-from-env', openremote: { backend: 'http://h:1', user: 'u', password: 'pw-from-env' } });
  });

  it('provisions over HTTP with one line per step and prints no secret', async () => {
    device = await startTestDevice({ security: { version: 1, pop: POP }, transport: 'httpd' });
    const r = await runCli(['--transport', 'httpd', '--http', `127.0.0.1:${device.port}`, '--pop', POP, '--ssid', 'HomeNet', '--passphrase', WIFI_PASS, '--scan']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['✓ http', '✓ proto-ver', '✓ session', '✓ wifi-scan', '✓ wifi']);
    expectNoSecrets(lines, POP, WIFI_PASS);
  });

  it('wrong PoP: exit status 301 & 0xff, the PoP given through the environment never printed', async () => {
    device = await startTestDevice({ security: { version: 1, pop: POP }, transport: 'httpd' });
    const r = await runCli(['--transport', 'httpd', '--http', `127.0.0.1:${device.port}`, '--ssid', 'HomeNet'], { PROV_POP: 'wrong-pop-1', PROV_PASSPHRASE: WIFI_PASS });
    expect(r.code).toBe(301 & 0xff);
    expect(r.stdout).toMatch(/✗ session: .* \(error 301\)/);
    expectNoSecrets([r.stdout, r.stderr], 'wrong-pop-1', WIFI_PASS);
  });
});
