// Cases run on both engines by foundation.test.ts (harness.ts runCasesOnBoth): firmware utilities and a host call,
// whose results must be identical on Node and on XS.
import type { Host } from '../../../firmware/host/index';
import { fromHex, toHex, utf8Decode, utf8Encode } from '../../../firmware/util/bytes';
import { redact, SecretRegistry } from '../../../firmware/util/log';

export const utilCases: Record<string, (host: Host) => unknown> = {
  utf8: () => {
    const text = 'Wi-Fi ✓ 🙂 \u00e9';
    const bytes = utf8Encode(text);
    return { hex: toHex(bytes), back: utf8Decode(bytes), invalid: utf8Decode(new Uint8Array([0xc3, 0x28, 0xf0, 0x9f])) };
  },
  hex: () => [toHex(new Uint8Array([0, 1, 254, 255])), fromHex('00ff'), fromHex('0g'), fromHex('abc')],
  redaction: () => {
    const secrets = new SecretRegistry();
    secrets.add('secretpass');
    return [secrets.scrub('pass=secretpass; again secretpass'), redact(new Uint8Array(16)), redact(undefined)];
  },
  sha256: (host) => host.crypto.sha256(utf8Encode('abc')),
  throws: (host) => host.crypto.x25519(new Uint8Array(1), new Uint8Array(32)),
  bigint: () => (2n ** 255n - 19n).toString(16),
};
