// Builds the device under test from a plain-JSON ReplaySetup (replay.ts): a protocomm with the configured security
// and the scripted endpoints. No Node APIs: the XS entry (xs-entry.ts) bundles this same file, so Node and XS
// replays run identical firmware code and differ only in the engine.
import type { ClockHost } from '../../firmware/host/clock';
import type { CryptoHost } from '../../firmware/host/crypto';
import { createProtocomm, type ProtocommCore, type ProtocommOptions } from '../../firmware/protocomm/protocomm';
import type { SecurityConfig } from '../../firmware/protocomm/security/index';
import { fromHex } from '../../firmware/util/bytes';
import type { Logger } from '../../firmware/util/log';
import { addScriptedEndpoints, type PlainExchange, type ScriptedEndpoints } from './scripted-endpoints';

/** Security configuration as plain JSON (hex strings), so it can cross into an XS worker unchanged. */
export type SecuritySetup =
  | { version: 0 }
  | { version: 1; pop: string }
  | { version: 2; patchVersion: 0 | 1; saltHex: string; verifierHex: string };

export interface ReplaySetup {
  security: SecuritySetup;
  /** Pinned device randomness in the order the device draws it. */
  randomHex: string[];
  /** The plaintext each encrypted endpoint must receive and answer. */
  plainExchanges: PlainExchange[];
  sessionId: number;
}

export function securityConfig(setup: SecuritySetup): SecurityConfig {
  switch (setup.version) {
    case 0:
      return { version: 0 };
    case 1:
      return { version: 1, pop: setup.pop };
    case 2:
      return {
        version: 2,
        patchVersion: setup.patchVersion,
        salt: fromHex(setup.saltHex) as Uint8Array,
        verifier: fromHex(setup.verifierHex) as Uint8Array,
      };
  }
}

export function buildReplayDevice(
  setup: ReplaySetup,
  parts: { crypto: CryptoHost; clock: ClockHost; log?: Logger } & Partial<ProtocommOptions>,
): { pc: ProtocommCore; scripted: ScriptedEndpoints } {
  const pc = createProtocomm({ ...parts, security: securityConfig(setup.security) });
  const scripted = addScriptedEndpoints(pc, setup.plainExchanges);
  return { pc, scripted };
}
