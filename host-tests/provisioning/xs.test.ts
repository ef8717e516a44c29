// The provisioning manager on the real XS engine (xsnap, XS 13.3): the entry (xs-entry.ts) replays the vectors'
// Wi-Fi plaintexts and a wrong-password retry; the credential record it writes is read back here on Node.
import { describe, expect, it } from 'vitest';
import { CredentialStore } from '../../firmware/provisioning/credentials';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { CaptureLog } from '../../tools/sim/host/log';
import { SimNvs } from '../../tools/sim/host/nvs';
import { parseWorld } from '../../tools/sim/wifi/world';
import { loadVectors } from '../protocomm/replay';
import { expectAllPassed, runXsTests } from '../xs/harness';
import { VECTOR_WORLD } from './helpers';

describe('provisioning on XS', () => {
  it('runs the handlers and the manager unchanged on xsnap', async () => {
    const nvs = new SimNvs();
    const steps = loadVectors()
      .sec0.filter((s) => s.request_plain_hex !== undefined)
      .map((s) => ({ endpoint: s.endpoint, note: s.note, request: s.request_plain_hex!, response: s.response_plain_hex! }));
    const run = await runXsTests('host-tests/provisioning/xs-entry.ts', {
      host: { nvs },
      input: { world: parseWorld(VECTOR_WORLD), steps },
    });
    expectAllPassed(run);
    expect(run.results).toHaveLength(2);
    // Auto-stop happened 1 s after the Connected GetStatus, in XS virtual time.
    // scan 1680 ms, apply, +1000 connect delay, ch1 scan 120 + assoc 50, DHCP 300, Connected GetStatus, +1000.
    expect(run.results[0].values[0]).toBe(1680 + 1000 + 170 + 300 + 1000);
    const stored = new CredentialStore({ nvs, log: new Logger(new CaptureLog(), 't', new SecretRegistry()) }).load();
    expect(stored.ok && new TextDecoder().decode(stored.credentials.password)).toBe('secretpass');
  });
});
