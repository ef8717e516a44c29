// Runs the native C host tests (tools/native/test.sh: -Wall -Wextra -Werror builds against the ESP-IDF mocks and
// Debian's mbedTLS, C unit tests under ASan/UBSan, -fsyntax-only of every xsmc binding) so `npm test` covers
// issue 9. The script installs libmbedtls-dev with apt-get when it is missing.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('native C hosts', () => {
  it('build with -Werror and pass their C tests under ASan/UBSan', () => {
    const r = spawnSync('bash', ['tools/native/test.sh'], { encoding: 'utf8', timeout: 300_000 });
    const output = `${r.stdout}\n${r.stderr}`;
    if (r.status !== 0) console.error(output);
    expect(r.status).toBe(0);
    // Each suite reports its own count; all six must have run and none may have failed.
    for (const suite of ['crypto', 'nvs', 'ble', 'wifi', 'socket', 'wifi_sim']) {
      expect(output).toMatch(new RegExp(`^${suite}: [1-9][0-9]* checks, 0 failed$`, 'm'));
    }
    expect(output).toContain('native: all C tests passed');
  }, 320_000);
});
