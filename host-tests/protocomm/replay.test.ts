// Every pinned transcript (unified-provisioning.md §12) replays byte for byte on the Node build of protocomm:
// session steps and the encrypted prov-scan/prov-config steps (scripted plaintext handlers).
import { describe, expect, it } from 'vitest';
import { SessionData } from '../../firmware/generated/proto.js';
import { fromHex, toHex } from '../../firmware/util/bytes';
import { createNodeCryptoHost } from '../../tools/sim/host/crypto';
import { TRANSCRIPTS, loadIntermediates, loadVectors, replayTranscript } from './replay';
import { nodeFactory } from './node-device';

const vectors = loadVectors();

describe('transcript replay (Node)', () => {
  for (const name of TRANSCRIPTS) {
    it(`${name} replays byte for byte`, async () => {
      const result = await replayTranscript(vectors, name, nodeFactory);
      expect(result.steps.length).toBe(vectors[name].length);
      for (const step of result.steps) {
        expect({ step: step.index, note: step.note, hex: step.actualHex }).toEqual({ step: step.index, note: step.note, hex: step.expectedHex });
      }
      expect(result.handlerErrors).toEqual([]);
      expect(result.unusedRandom).toBe(0);
    });
  }
});

describe('crypto intermediates visible in the device messages (intermediates.json)', () => {
  const im = loadIntermediates() as Record<string, Record<string, string>>;

  it('sec1: device public key, device_random = initial CTR block; the device derives the same session key', async () => {
    const result = await replayTranscript(vectors, 'sec1', nodeFactory);
    const resp0 = SessionData.decode(Buffer.from(result.steps[1].actualHex as string, 'hex')).sec1?.sr0;
    expect(toHex(resp0?.devicePubkey as Uint8Array)).toBe(im.sec1.device_pubkey);
    expect(toHex(resp0?.deviceRandom as Uint8Array)).toBe(im.sec1.ctr_initial_block);
    // The key the device used (§4.2 step 5) is what turns client_pubkey into device_verify_data at keystream
    // bytes 32..63: check it against the published AES key.
    const crypto = createNodeCryptoHost();
    const stream = crypto.aesCtr(fromHex(im.sec1.aes256ctr_key) as Uint8Array, fromHex(im.sec1.ctr_initial_block) as Uint8Array);
    stream.update(new Uint8Array(32));
    const resp1 = SessionData.decode(Buffer.from(result.steps[2].actualHex as string, 'hex')).sec1?.sr1;
    expect(toHex(stream.update(resp1?.deviceVerifyData as Uint8Array))).toBe(im.sec1.client_pubkey);
  });

  it('sec2: B, M2 and the initial IV', async () => {
    const result = await replayTranscript(vectors, 'sec2_patch1', nodeFactory);
    const resp0 = SessionData.decode(Buffer.from(result.steps[1].actualHex as string, 'hex')).sec2?.sr0;
    const resp1 = SessionData.decode(Buffer.from(result.steps[2].actualHex as string, 'hex')).sec2?.sr1;
    expect(toHex(resp0?.devicePubkey as Uint8Array)).toBe(im.sec2.B);
    expect(toHex(resp1?.deviceProof as Uint8Array)).toBe(im.sec2.M2_device_proof);
    expect(toHex(resp1?.deviceNonce as Uint8Array)).toBe(im.sec2.iv_patch1_initial);
  });
});
