// Tests for the test PKI (tools/certs/pki.ts, make.ts): chain, SAN, validity and the untrusted CA, checked with
// node:crypto's X509Certificate (no openssl binary needed), and the CLI writing PEM files.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PKI_FILES, generateTestPki } from '../../tools/certs/pki';

describe('generateTestPki', () => {
  it('issues a server certificate from the CA with the requested SANs, plus expired and foreign variants', async () => {
    const pki = await generateTestPki({ hosts: ['broker.local', '10.0.0.5'], expired: true, otherCa: true });
    const ca = new X509Certificate(pki.ca.cert);
    const server = new X509Certificate(pki.server.cert);
    const expired = new X509Certificate(pki.expired!.cert);
    const otherCa = new X509Certificate(pki.otherCa!.cert);
    const foreign = new X509Certificate(pki.otherCaServer!.cert);

    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost('broker.local')).toBe('broker.local');
    expect(server.checkIP('10.0.0.5')).toBe('10.0.0.5');
    expect(server.checkHost('localhost')).toBeUndefined();
    expect(server.subjectAltName).toContain('DNS:broker.local');
    const now = Date.now();
    expect(Date.parse(server.validFrom)).toBeLessThan(now);
    expect(Date.parse(server.validTo)).toBeGreaterThan(now);

    expect(expired.verify(ca.publicKey)).toBe(true);
    expect(Date.parse(expired.validTo)).toBeLessThan(now);

    expect(foreign.verify(otherCa.publicKey)).toBe(true);
    expect(foreign.verify(ca.publicKey)).toBe(false);
    expect(server.publicKey.asymmetricKeyType).toBe('ec');
  });

  it('refuses an empty host list', async () => {
    await expect(generateTestPki({ hosts: [] })).rejects.toThrow(RangeError);
  });
});

describe('make.ts CLI', () => {
  it('writes the PEM files to --out', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certs-'));
    try {
      const script = path.resolve(__dirname, '../../tools/certs/make.ts');
      await new Promise<void>((resolve, reject) =>
        execFile(process.execPath, ['--import', 'tsx', script, '--out', dir, '--host', 'localhost', '--expired'], (err, _o, stderr) =>
          err ? reject(new Error(stderr || String(err))) : resolve(),
        ),
      );
      const files = fs.readdirSync(dir).sort();
      expect(files).toEqual(
        [PKI_FILES.caCert, PKI_FILES.caKey, PKI_FILES.expiredCert, PKI_FILES.expiredKey, PKI_FILES.serverCert, PKI_FILES.serverKey].sort(),
      );
      expect(fs.statSync(path.join(dir, PKI_FILES.serverKey)).mode & 0o077).toBe(0);
      const server = new X509Certificate(fs.readFileSync(path.join(dir, PKI_FILES.serverCert)));
      expect(server.checkHost('localhost')).toBe('localhost');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
