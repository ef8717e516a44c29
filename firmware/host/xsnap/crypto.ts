// CryptoHost inside the xsnap worker: every primitive is one synchronous request to the Node host
// (tools/sim/host/crypto.ts through tools/sim/xs-bridge.ts). An AesCtrStream is a handle id on the Node side.
import type { AesCtrStream, CryptoHost } from '../crypto';
import type { XsChannel } from './channel';

class XsAesCtrStream implements AesCtrStream {
  constructor(private readonly channel: XsChannel, private readonly handle: number) {}
  update(data: Uint8Array): Uint8Array {
    return this.channel.request('aes.update', [this.handle, data]) as Uint8Array;
  }
  close(): void {
    this.channel.request('aes.close', [this.handle]);
  }
}

export function createXsCryptoHost(channel: XsChannel): CryptoHost {
  const call = (method: string, args: unknown[]) => channel.request(`crypto.${method}`, args);
  return {
    randomBytes: (length) => call('randomBytes', [length]) as Uint8Array,
    sha256: (data) => call('sha256', [data]) as Uint8Array,
    sha512: (data) => call('sha512', [data]) as Uint8Array,
    hmacSha256: (key, data) => call('hmacSha256', [key, data]) as Uint8Array,
    x25519: (privateKey, peerPublicKey) => call('x25519', [privateKey, peerPublicKey]) as Uint8Array,
    aesCtr: (key, initialCounter) => new XsAesCtrStream(channel, call('aesCtr', [key, initialCounter]) as number),
    aesGcmSeal: (key, iv, plaintext, aad) => call('aesGcmSeal', [key, iv, plaintext, aad]) as Uint8Array,
    aesGcmOpen: (key, iv, ciphertextAndTag, aad) =>
      call('aesGcmOpen', [key, iv, ciphertextAndTag, aad]) as Uint8Array | undefined,
    modPow: (base, exponent, modulus) => call('modPow', [base, exponent, modulus]) as Uint8Array,
  };
}
