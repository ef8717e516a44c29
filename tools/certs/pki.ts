// Test PKI for TLS tests, the MQTT brokers (mosquitto, aedes) and the dev backend: a test CA, a server
// certificate for given names (SAN), and optionally an expired server certificate and one issued by a different
// CA, all PEM. Built on the `selfsigned` package (WebCrypto + @peculiar/x509): no openssl binary needed.
// These keys are for tests only: they are generated fresh, written unencrypted, and must never ship.
import * as fs from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';
import { generate } from 'selfsigned';

export interface KeyAndCert {
  /** PKCS#8 private key, PEM. */
  key: string;
  /** X.509 certificate, PEM. */
  cert: string;
}

export interface TestPki {
  ca: KeyAndCert;
  /** Valid now, issued by `ca`, SAN = the given names. */
  server: KeyAndCert;
  /** Issued by `ca` for the same names, but its validity ended yesterday. */
  expired?: KeyAndCert;
  /** A second CA nobody trusts, and a server certificate for the same names issued by it. */
  otherCa?: KeyAndCert;
  otherCaServer?: KeyAndCert;
}

export interface TestPkiOptions {
  /** DNS names and IP addresses for the server certificate; the first is also its CN. Default localhost,
   * 127.0.0.1, ::1. */
  hosts?: string[];
  /** Also make `expired`. */
  expired?: boolean;
  /** Also make `otherCa` and `otherCaServer`. */
  otherCa?: boolean;
  /** 'ec' (P-256, default: fast, and what mbedTLS and Moddable's TLS both handle) or 'rsa' (2048). */
  keyType?: 'ec' | 'rsa';
  /** Validity of the CA and server certificates in days. Default 825. */
  days?: number;
}

const DAY_MS = 86_400_000;

function keyOptions(keyType: 'ec' | 'rsa') {
  return keyType === 'ec' ? { keyType: 'ec' as const, curve: 'P-256' as const } : { keyType: 'rsa' as const, keySize: 2048 };
}

async function makeCa(commonName: string, keyType: 'ec' | 'rsa', days: number): Promise<KeyAndCert> {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'or-esp32 test' }], {
    ...keyOptions(keyType),
    algorithm: 'sha256',
    notBeforeDate: new Date(now - DAY_MS), // tolerate clock skew between machines
    notAfterDate: new Date(now + days * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

async function makeServer(
  ca: KeyAndCert,
  hosts: string[],
  keyType: 'ec' | 'rsa',
  notBefore: Date,
  notAfter: Date,
): Promise<KeyAndCert> {
  const altNames = hosts.map((h) => (isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h }));
  const pems = await generate([{ name: 'commonName', value: hosts[0]! }], {
    ...keyOptions(keyType),
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: keyType === 'rsa', critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

export async function generateTestPki(options: TestPkiOptions = {}): Promise<TestPki> {
  const hosts = options.hosts ?? ['localhost', '127.0.0.1', '::1'];
  if (hosts.length === 0 || hosts.some((h) => typeof h !== 'string' || h.length === 0)) {
    throw new RangeError('generateTestPki: hosts must be non-empty names');
  }
  const keyType = options.keyType ?? 'ec';
  const days = options.days ?? 825;
  const now = Date.now();

  const ca = await makeCa('or-esp32 test CA', keyType, days);
  const pki: TestPki = {
    ca,
    server: await makeServer(ca, hosts, keyType, new Date(now - DAY_MS), new Date(now + days * DAY_MS)),
  };
  if (options.expired) {
    pki.expired = await makeServer(ca, hosts, keyType, new Date(now - 30 * DAY_MS), new Date(now - DAY_MS));
  }
  if (options.otherCa) {
    pki.otherCa = await makeCa('or-esp32 untrusted test CA', keyType, days);
    pki.otherCaServer = await makeServer(pki.otherCa, hosts, keyType, new Date(now - DAY_MS), new Date(now + days * DAY_MS));
  }
  return pki;
}

/** File names written by writeTestPki, relative to the output directory. */
export const PKI_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
  expiredCert: 'server-expired.crt',
  expiredKey: 'server-expired.key',
  otherCaCert: 'other-ca.crt',
  otherCaKey: 'other-ca.key',
  otherCaServerCert: 'server-other-ca.crt',
  otherCaServerKey: 'server-other-ca.key',
} as const;

/** Writes the PEM files (keys mode 0600) and returns the paths written. */
export function writeTestPki(dir: string, pki: TestPki): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, text: string, secret: boolean) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, { mode: secret ? 0o600 : 0o644 });
    written.push(file);
  };
  put(PKI_FILES.caCert, pki.ca.cert, false);
  put(PKI_FILES.caKey, pki.ca.key, true);
  put(PKI_FILES.serverCert, pki.server.cert, false);
  put(PKI_FILES.serverKey, pki.server.key, true);
  if (pki.expired) {
    put(PKI_FILES.expiredCert, pki.expired.cert, false);
    put(PKI_FILES.expiredKey, pki.expired.key, true);
  }
  if (pki.otherCa && pki.otherCaServer) {
    put(PKI_FILES.otherCaCert, pki.otherCa.cert, false);
    put(PKI_FILES.otherCaKey, pki.otherCa.key, true);
    put(PKI_FILES.otherCaServerCert, pki.otherCaServer.cert, false);
    put(PKI_FILES.otherCaServerKey, pki.otherCaServer.key, true);
  }
  return written;
}
