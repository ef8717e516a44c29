// Interop with the official client, esp_prov (unified-provisioning.md §11.4): over --transport httpd against the
// HTTP server (way 1) and over --transport console through pipes (way 3), with the real protocomm, provisioning
// manager and simulated Wi-Fi (./prov-device.ts). Needs Debian's python3 with protobuf + cryptography (§11.3) and an
// IDF_PATH tree holding esp_prov (§11.1: tools/esp_prov of ESP-IDF v5.5.x, or idf-extra-components'
// network_provisioning/tool/esp_prov next to components/protocomm/python); skipped when they are absent.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTranscripts } from '../fixtures/vectors';
import type { SecurityConfig } from '../../firmware/protocomm/security/index';
import { startProvDevice, type ProvDevice } from './prov-device';

const PYTHON = '/usr/bin/python3';
const IDF_PATH = process.env.IDF_PATH ?? '';
const ESP_PROV = [join(IDF_PATH, 'tools/esp_prov/esp_prov.py'), join(IDF_PATH, 'network_provisioning/tool/esp_prov/esp_prov.py')].find(
  (p) => IDF_PATH !== '' && existsSync(p),
);
const available = ESP_PROV !== undefined && existsSync(PYTHON);

/** esp_prov's console transport returns hex_str_to_bytes(answer) to the security layer, which expects a latin-1
 * str (§11.2). Copies whose hex_str_to_bytes returns bytes (idf-extra-components a9149818ea86) fail on their own
 * side with "encoding without a string argument" before the device is involved; probe for that. */
function consoleTransportUsable(): boolean {
  if (!available) return false;
  const probe = spawnSync(PYTHON, ['-c', "from utils import hex_str_to_bytes; print(type(hex_str_to_bytes('00')).__name__)"], {
    cwd: join(ESP_PROV as string, '..'),
    env: { ...process.env, IDF_PATH },
    encoding: 'utf8',
  });
  return probe.stdout.trim() === 'str';
}
const consoleUsable = consoleTransportUsable();

/** Runs esp_prov.py with only that client bug fixed: hex_str_to_bytes returns a latin-1 str, as the HTTP transport's
 * answers are. Everything else (flow, security, protobufs, console transport) is esp_prov's own code. */
const PATCHED_LAUNCHER = `
import runpy, sys
import utils, utils.convenience
fixed = lambda s: bytes.fromhex(s).decode('latin-1')
utils.hex_str_to_bytes = fixed
utils.convenience.hex_str_to_bytes = fixed
sys.argv = ['esp_prov.py'] + sys.argv[1:]
runpy.run_path('esp_prov.py', run_name='__main__')
`;

const V = loadTranscripts().inputs;
const SECURITY: Record<string, SecurityConfig> = {
  '0': { version: 0 },
  '1': { version: 1, pop: 'abcd1234' },
  '2': { version: 2, salt: Buffer.from(V.srp_salt, 'hex'), verifier: Buffer.from(V.srp_verifier, 'hex') },
};
const SEC_ARGS: Record<string, string[]> = {
  '0': ['--sec_ver', '0'],
  '1': ['--sec_ver', '1', '--pop', 'abcd1234'],
  '2': ['--sec_ver', '2', '--sec2_username', 'wifiprov', '--sec2_pwd', 'abcd1234'],
};

let device: ProvDevice | undefined;
afterEach(() => {
  device?.stop();
  device = undefined;
});

interface EspProvRun {
  code: number | null;
  out: string;
}

/** Runs esp_prov; `onLine` sees each stdout line/prompt and may answer on stdin. */
function runEspProv(
  args: string[],
  onOutput?: (text: string, write: (s: string) => void) => void,
  stdin?: string,
  patched = false,
): Promise<EspProvRun> {
  return new Promise((resolve, reject) => {
    const launch = patched ? ['-u', '-c', PATCHED_LAUNCHER] : ['-u', ESP_PROV as string];
    const child = spawn(PYTHON, [...launch, ...args], {
      cwd: join(ESP_PROV as string, '..'),
      env: { ...process.env, IDF_PATH },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      onOutput?.(out, (s) => child.stdin.write(s));
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
    if (stdin !== undefined) child.stdin.end(stdin);
  });
}

describe.skipIf(!available)('esp_prov interop', () => {
  for (const sec of ['0', '1', '2']) {
    it(`--transport httpd, sec${sec}: provisions HomeNet`, async () => {
      device = await startProvDevice({ security: SECURITY[sec], transport: 'httpd', secrets: ['secretpass', 'abcd1234'] });
      const run = await runEspProv([
        '--transport', 'httpd', '--service_name', `127.0.0.1:${device.port}`, ...SEC_ARGS[sec],
        '--ssid', 'HomeNet', '--passphrase', 'secretpass',
      ]);
      expect(run.out, run.out).toContain('Provisioning was successful');
      expect(run.code).toBe(0);
      expect(device.events.map((e) => e.name)).toContain('cred-success');
      device.log.assertNoSecret('secretpass', 'abcd1234');
    }, 120_000);
  }

  it('--transport httpd, sec2: scan, pick an AP on stdin, then provision', async () => {
    device = await startProvDevice({ security: SECURITY['2'], transport: 'httpd', secrets: ['secretpass', 'abcd1234'] });
    const run = await runEspProv(
      ['--transport', 'httpd', '--service_name', `127.0.0.1:${device.port}`, ...SEC_ARGS['2']],
      undefined,
      '1\nsecretpass\n',
    );
    expect(run.out, run.out).toMatch(/\[ 1\] HomeNet/);
    expect(run.out, run.out).toContain('Provisioning was successful');
    expect(run.code).toBe(0);
  }, 120_000);

  for (const sec of ['0', '1']) {
    const label = consoleUsable ? '' : ' (client hex_str_to_bytes bug patched)';
    it(`--transport console, sec${sec}${label}: esp_prov's lines go to the device UART, the hex answers come back`, async () => {
      device = await startProvDevice({ security: SECURITY[sec], transport: 'console', secrets: ['secretpass', 'abcd1234'] });
      const uart = device.uart!;
      let handled = 0;
      let lines = 0;
      const run = await runEspProv(
        ['--transport', 'console', ...SEC_ARGS[sec], '--ssid', 'HomeNet', '--passphrase', 'secretpass'],
        (out, write) => {
          // Each request: "Client->Device msg : <ep> <sid> <hex>" then the prompt "Enter device->client msg : ".
          const requests = [...out.matchAll(/Client->Device msg : (\S+ \d+ [0-9a-f]+)\r?\n[^]*?Enter device->client msg : /g)];
          for (; handled < requests.length; handled++) {
            const line = requests[handled][1];
            const before = uart.receivedText().length;
            uart.type(line + '\r');
            const answer = () => /\r\n\r\n([0-9a-f]+)\r\n\n>> $/.exec(uart.receivedText().slice(before));
            const deliver = () => {
              const m = answer();
              if (m) {
                lines++;
                write(m[1] + '\n');
              } else setTimeout(deliver, 20); // a scan or connect may answer later
            };
            deliver();
          }
        },
        undefined,
        !consoleUsable,
      );
      expect(run.out, run.out).toContain('Provisioning was successful');
      expect(run.code).toBe(0);
      expect(lines).toBeGreaterThanOrEqual(5);
      device.log.assertNoSecret('secretpass', 'abcd1234');
    }, 120_000);
  }
});
