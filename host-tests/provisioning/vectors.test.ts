// Byte-exact checks of the prov-scan / prov-config handlers against the pinned vectors (unified-provisioning.md
// §12): first plaintext-only through the handlers, then every transcript end to end through the real protocomm
// core (sec0/1/2 with pinned randomness) with the simulated Wi-Fi world that reproduces the vectors' scan and
// connection (HomeNet/secretpass → 192.168.1.42).
import { describe, expect, it } from 'vitest';
import { createProtocomm } from '../../firmware/protocomm/protocomm';
import { CredentialStore } from '../../firmware/provisioning/credentials';
import { ProvisioningManager } from '../../firmware/provisioning/manager';
import { fromHex, toHex } from '../../firmware/util/bytes';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { VirtualClock } from '../../tools/sim/host/clock';
import { createNodeCryptoHost, scriptedRandom } from '../../tools/sim/host/crypto';
import { CaptureLog } from '../../tools/sim/host/log';
import { SimNvs } from '../../tools/sim/host/nvs';
import { SimWifiStation } from '../../tools/sim/wifi/station';
import { parseWorld } from '../../tools/sim/wifi/world';
import { securityConfig } from '../protocomm/node-device';
import { loadVectors, replaySetup, TRANSCRIPTS } from '../protocomm/replay';
import { makeRig, VECTOR_WORLD } from './helpers';

const vectors = loadVectors();
const plainSteps = vectors.sec0.filter((s) => s.request_plain_hex !== undefined);

describe('prov-scan / prov-config plaintext vectors', () => {
  it('answers every Wi-Fi step byte for byte, with the blocking scan replying when the scan is done', () => {
    const rig = makeRig();
    for (const step of plainSteps) {
      if (step.note.includes('Connected')) {
        // The second GetStatus is taken once the station has its IP.
        rig.until(() => rig.manager.provState === 'SUCCESS');
      }
      const answer = rig.send(step.endpoint, step.request_plain_hex!);
      if (step.note.startsWith('CmdScanStart')) {
        expect(answer.done).toBe(false); // blocking: no reply before the scan finished
        rig.until(() => answer.done);
        // group_channels 0 → one all-channel active pass, 14 channels × 120 ms (period_ms 120).
        expect(answer.at).toBe(14 * 120);
      }
      expect(answer.done, step.note).toBe(true);
      expect(answer.response && toHex(answer.response), step.note).toBe(step.response_plain_hex);
    }
    // Connected GetStatus → auto-stop after the 1 s cleanup delay.
    const t = rig.clock.monotonicMs();
    rig.until(() => rig.manager.provState === 'STOPPED');
    expect(rig.clock.monotonicMs() - t).toBe(1000);
  });
});

describe.each(TRANSCRIPTS)('full transcript %s through protocomm + manager', (name) => {
  it('reproduces every response_hex', () => {
    const setup = replaySetup(vectors, name);
    const clock = new VirtualClock();
    const capture = new CaptureLog(clock);
    const log = new Logger(capture, 'dev', new SecretRegistry(), 'debug');
    const random = scriptedRandom(setup.randomHex.map((x) => fromHex(x) as Uint8Array));
    const wifi = new SimWifiStation({ world: parseWorld(VECTOR_WORLD), timers: clock });
    const manager = new ProvisioningManager({
      wifi,
      timers: clock,
      log: log.child('prov'),
      credentials: new CredentialStore({ nvs: new SimNvs(), log }),
    });
    const pc = createProtocomm({
      crypto: createNodeCryptoHost(random),
      clock,
      log: log.child('protocomm'),
      security: securityConfig(setup.security),
      version: manager.protoVersionFlags(),
    });
    manager.start(pc);
    pc.newTransportSession(setup.sessionId);
    for (const step of vectors[name]) {
      if (step.note.includes('-> Connected')) clock.runUntil(() => manager.provState === 'SUCCESS', 60_000);
      let got: Uint8Array | undefined;
      let done = false;
      pc.handle(step.endpoint, setup.sessionId, Buffer.from(step.request_hex, 'hex'), (r) => {
        done = true;
        got = r;
      });
      if (!done) clock.runUntil(() => done, 10_000);
      expect(got && toHex(got), `${name}: ${step.note}`).toBe(step.response_hex);
    }
    expect(random.remaining()).toBe(0);
    capture.assertNoSecret('secretpass');
  });
});
