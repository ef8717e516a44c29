// Builds the configured protocomm security scheme (unified-provisioning.md §3-§5). One scheme per protocomm
// instance (§1.1); the configuration is plain data so the provisioning manager can load it from NVS/factory data.
import type { CryptoHost } from '../../host/crypto';
import type { Logger } from '../../util/log';
import type { SecurityScheme, SecuritySessionEventHandler } from '../types';
import { Security0 } from './sec0';
import { Security1 } from './sec1';
import { Security2 } from './sec2';

export type SecurityConfig =
  | { version: 0 }
  | { version: 1; pop?: string | Uint8Array }
  | { version: 2; salt: Uint8Array; verifier: Uint8Array; patchVersion?: 0 | 1; maxUsernameLength?: number };

export function createSecurityScheme(
  config: SecurityConfig,
  crypto: CryptoHost,
  log: Logger | undefined,
  onEvent: SecuritySessionEventHandler,
): SecurityScheme {
  switch (config.version) {
    case 0:
      return new Security0();
    case 1:
      return new Security1({ crypto, pop: config.pop, log, onEvent });
    case 2:
      return new Security2({
        crypto,
        salt: config.salt,
        verifier: config.verifier,
        patchVersion: config.patchVersion,
        maxUsernameLength: config.maxUsernameLength,
        log,
        onEvent,
      });
    default:
      throw new RangeError(`unknown protocomm security version ${(config as { version: unknown }).version}`);
  }
}

/** sec1 with an empty or absent PoP advertises `no_pop` (§6.2). */
export function securityHasPop(config: SecurityConfig): boolean {
  return config.version === 1 && config.pop !== undefined && config.pop.length > 0;
}

export { Security0, Security1, Security2 };
