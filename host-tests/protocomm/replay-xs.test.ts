// The transcript replay of replay.test.ts on the real XS engine (xsnap-worker, XS 13.3): every pinned transcript,
// session steps and encrypted prov-scan/prov-config steps, byte for byte.
import { describe, expect, it } from 'vitest';
import { TRANSCRIPTS, loadVectors, replayTranscript } from './replay';
import { xsFactory } from './xs-device';

const vectors = loadVectors();

describe('transcript replay (XS)', () => {
  for (const name of TRANSCRIPTS) {
    it(`${name} replays byte for byte on XS`, async () => {
      const result = await replayTranscript(vectors, name, xsFactory);
      expect(result.steps.length).toBe(vectors[name].length);
      for (const step of result.steps) {
        expect({ step: step.index, note: step.note, hex: step.actualHex }).toEqual({ step: step.index, note: step.note, hex: step.expectedHex });
      }
      expect(result.handlerErrors).toEqual([]);
      expect(result.unusedRandom).toBe(0);
    });
  }
});
