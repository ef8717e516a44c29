// Shared pieces of the tools/prov tests: secret checks over the client's printed lines (CaptureLog's encodings),
// and the sec2 device configuration for the OpenRemote apps' identity (username "UNUSED", password = PoP).
import { expect } from 'vitest';
import type { SecurityConfig } from '../../firmware/protocomm/security/index';
import { CaptureLog } from '../../tools/sim/host/log';
import { createNodeCryptoHost } from '../../tools/sim/host/crypto';
import { generateVerifier } from '../../tools/srp/gen-verifier';

export const POP = 'abcd1234';
export const WIFI_PASS = 'secretpass';

export function sec2Device(pop = POP, patchVersion: 0 | 1 = 1, username = 'UNUSED'): SecurityConfig {
  // A fixed salt with a non-zero first byte (§5.8) so esp_prov and device agree on x.
  const salt = new Uint8Array(Buffer.from('5a6e0c7bcb9eda84c9eac97d93decf41', 'hex'));
  const { verifier } = generateVerifier(createNodeCryptoHost(), username, pop, salt);
  return { version: 2, salt, verifier, patchVersion };
}

/** Fails if any secret appears in the lines in any encoding CaptureLog knows (plain, hex, separated hex, base64). */
export function expectNoSecrets(lines: string[], ...secrets: string[]): void {
  const capture = new CaptureLog();
  for (const line of lines) capture.write('info', 'prov', line);
  expect(lines.length).toBeGreaterThan(0);
  capture.assertNoSecret(...secrets.filter((s) => s.length > 0));
}
