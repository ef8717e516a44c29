// Boot: the firmware's start-up sequence, the same on the chip, on Node and on XS. For now (issue 2) it only
// identifies the device in the log; the lead engineer replaces it with the real boot flow (storage, provisioning,
// backend connection).
import type { Host } from './host/index';
import type { LogLevel } from './host/log';
import { toHex } from './util/bytes';
import { Logger, SecretRegistry } from './util/log';

export interface BootConfig {
  logLevel?: LogLevel;
}

export function boot(host: Host, config: BootConfig = {}): void {
  const log = new Logger(host.log, 'boot', new SecretRegistry(), config.logLevel ?? 'info');
  const mac = toHex(host.device.mac()).replace(/(..)(?!$)/g, '$1:');
  log.info(`chip ${host.device.chipModel()}, mac ${mac}`);
}
