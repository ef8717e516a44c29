// Errors of the provisioning client, each carrying the OpenRemote app error code it maps to (openremote.md §2.8):
// a caller (CLI, `npm start`, the web-app bridge) reports `code` exactly as the phone apps would.

/** ESPProviderErrorCode (openremote.md §2.8). */
export const OR_ERROR = {
  unknownDevice: 100,
  bleCommunicationError: 200,
  notConnected: 300,
  communicationError: 301,
  securityError: 400,
  wifiConfigurationError: 500,
  wifiCommunicationError: 501,
  wifiAuthenticationError: 502,
  wifiNetworkNotFound: 503,
  timeoutError: 600,
  genericError: 10000,
} as const;

export type OrErrorCode = (typeof OR_ERROR)[keyof typeof OR_ERROR];

/** A failed provisioning step. `message` never contains a secret. */
export class ProvError extends Error {
  constructor(
    readonly code: OrErrorCode,
    message: string,
    readonly step?: string,
  ) {
    super(message);
    this.name = 'ProvError';
  }
}

/** The transport got no answer: the device closed the connection / answered ATT 0x04 / dropped the link. This is
 * how a device signals every handler error (unified-provisioning.md §2.1 last paragraph, §9.1, §9.2). */
export class NoResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoResponseError';
  }
}

/** The security layer refused the device's answer (bad proof, undecodable message, tag mismatch). */
export class SecurityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecurityError';
  }
}
