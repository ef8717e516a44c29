// Factory step for protocomm security 2 (unified-provisioning.md §5.2): computes the SRP salt and verifier the
// device stores, x = H(salt ‖ H(username ‖ ":" ‖ password)), v = g^x mod N, with the firmware's own SRP module.
// Usage: tsx tools/srp/gen-verifier.ts --username <name> --password <pop> [--salt <hex>] [--salt-length 16]
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createNodeCryptoHost } from '../sim/host/crypto';
import { computeVerifier, espProvXDiffers, generateSalt } from '../../firmware/protocomm/security/srp';
import { fromHex, toHex, utf8Encode } from '../../firmware/util/bytes';
import type { CryptoHost } from '../../firmware/host/crypto';

export interface VerifierResult {
  salt: Uint8Array;
  verifier: Uint8Array;
  /** Set when esp_prov v5.5.4 would derive a different x for these inputs (§5.8). */
  espProvMismatch: boolean;
}

export function generateVerifier(crypto: CryptoHost, username: string, password: string, salt?: Uint8Array): VerifierResult {
  const s = salt ?? generateSalt(crypto);
  const user = utf8Encode(username);
  const pass = utf8Encode(password);
  return { salt: s, verifier: computeVerifier(crypto, s, user, pass), espProvMismatch: espProvXDiffers(crypto, s, user, pass) };
}

export function cArray(name: string, data: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += 12) {
    lines.push('    ' + Array.from(data.subarray(i, i + 12), (b) => '0x' + b.toString(16).padStart(2, '0')).join(', ') + ',');
  }
  return `static const char ${name}[] = {\n${lines.join('\n')}\n};`;
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      username: { type: 'string' },
      password: { type: 'string' },
      salt: { type: 'string' },
    },
  });
  if (values.username === undefined || values.password === undefined || values.username.length === 0) {
    process.stderr.write('usage: tsx tools/srp/gen-verifier.ts --username <name> --password <pop> [--salt <hex>]\n');
    return 2;
  }
  let salt: Uint8Array | undefined;
  if (values.salt !== undefined) {
    salt = fromHex(values.salt);
    if (!salt || salt.length === 0 || salt.length > 64) {
      process.stderr.write('--salt must be 1..64 bytes of hex\n');
      return 2;
    }
    if (salt[0] === 0) process.stderr.write('warning: salt starts with a zero byte; esp_prov strips it and will fail (§5.8)\n');
  }
  const crypto = createNodeCryptoHost();
  const result = generateVerifier(crypto, values.username, values.password, salt);
  if (result.espProvMismatch) {
    process.stderr.write(
      'warning: H(username:password) starts with a zero byte; esp_prov v5.5.4 strips it when computing x, so this ' +
        'verifier will not match that client (§5.8). Choose another password.\n',
    );
  }
  process.stdout.write(`salt (${result.salt.length} bytes): ${toHex(result.salt)}\n`);
  process.stdout.write(`verifier (${result.verifier.length} bytes): ${toHex(result.verifier)}\n\n`);
  process.stdout.write(`${cArray('sec2_salt', result.salt)}\n\n${cArray('sec2_verifier', result.verifier)}\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(main(process.argv.slice(2)));
