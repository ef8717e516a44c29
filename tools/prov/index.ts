// Public surface of the provisioning client (tools/prov/README.md): the one-call flow for `npm start` and the
// individual steps, transports and security clients for tests and other tools.
export { runProvisioning, defaultMqttUrl, parseHostPort, type ProvisionOptions, type ProvResult } from './provision';
export * from './flows';
export { OR_ERROR, ProvError, NoResponseError, SecurityError, type OrErrorCode } from './errors';
export { parseProtoVersion, chooseSecurity, type ProtoVersion, type SecuritySelection } from './proto-ver';
export { createClientSecurity, Sec0Client, Sec1Client, Sec2Client, type ClientSecurity } from './security/index';
export { HttpTransport } from './transport/http';
export { BleTransport, nameMatches } from './transport/ble';
export type { Transport } from './transport/types';
export { login, provisionDevice, generateDevicePassword } from './backend';
