// Transcript replay for protocomm (unified-provisioning.md §12.1): feeds every request_hex of a pinned transcript
// to a device built by a factory and compares each response byte for byte. The factory hides where the device
// runs (Node in-process, or XS through the harness), so one replay serves both.
import { loadIntermediates as loadIntermediatesFile, loadTranscripts, type TranscriptStep as FixtureStep } from '../fixtures/vectors';
import type { ReplaySetup } from './device-setup';

export type { ReplaySetup, SecuritySetup } from './device-setup';


/** Every protocomm transcript step carries its note (reported when a step fails). */
export interface TranscriptStep extends FixtureStep {
  note: string;
}

export interface Vectors {
  inputs: Record<string, string>;
  sec0: TranscriptStep[];
  sec1: TranscriptStep[];
  sec2_patch1: TranscriptStep[];
  sec2_patch0: TranscriptStep[];
}

export type TranscriptName = 'sec0' | 'sec1' | 'sec2_patch1' | 'sec2_patch0';
export const TRANSCRIPTS: TranscriptName[] = ['sec0', 'sec1', 'sec2_patch1', 'sec2_patch0'];

export function loadVectors(): Vectors {
  return loadTranscripts() as Vectors;
}

export function loadIntermediates(): Record<string, Record<string, unknown>> {
  return loadIntermediatesFile();
}

/** A device under test, wherever it runs. */
export interface ReplayTarget {
  newTransportSession(sessionId: number): Promise<void> | void;
  handle(endpoint: string, sessionId: number, request: Uint8Array): Promise<Uint8Array | undefined>;
  /** Mismatches reported by the scripted endpoint handlers. */
  handlerErrors(): Promise<string[]> | string[];
  /** Scripted random values the device did not draw (must be 0 after a replay). */
  unusedRandom(): Promise<number> | number;
  dispose?(): Promise<void> | void;
}

export type ReplayFactory = (setup: ReplaySetup) => Promise<ReplayTarget>;

export function replaySetup(vectors: Vectors, name: TranscriptName): ReplaySetup {
  const i = vectors.inputs;
  const steps = vectors[name];
  const plainExchanges = steps
    .filter((s) => s.request_plain_hex !== undefined && s.response_plain_hex !== undefined)
    .map((s) => ({ endpoint: s.endpoint, requestPlainHex: s.request_plain_hex as string, responsePlainHex: s.response_plain_hex as string }));
  const sessionId = 1; // §12.1 "transport session id 1"
  switch (name) {
    case 'sec0':
      return { security: { version: 0 }, randomHex: [], plainExchanges, sessionId };
    case 'sec1':
      return { security: { version: 1, pop: i.pop }, randomHex: [i.device_x25519_private, i.device_random], plainExchanges, sessionId };
    case 'sec2_patch1':
    case 'sec2_patch0': {
      const patch = name === 'sec2_patch1' ? 1 : 0;
      return {
        security: { version: 2, patchVersion: patch, saltHex: i.srp_salt, verifierHex: i.srp_verifier },
        randomHex: [i.srp_device_b, patch === 1 ? i.gcm_session_id : i.sec2_patch0_iv16],
        plainExchanges,
        sessionId,
      };
    }
  }
}

export interface StepOutcome {
  index: number;
  endpoint: string;
  note: string;
  expectedHex: string;
  actualHex: string | undefined;
}

export interface ReplayResult {
  steps: StepOutcome[];
  handlerErrors: string[];
  unusedRandom: number;
}

function hex(data: Uint8Array | undefined): string | undefined {
  return data === undefined ? undefined : Buffer.from(data).toString('hex');
}

/** Replays one transcript in one transport session; the caller asserts on the result. */
export async function replayTranscript(vectors: Vectors, name: TranscriptName, factory: ReplayFactory): Promise<ReplayResult> {
  const setup = replaySetup(vectors, name);
  const target = await factory(setup);
  try {
    await target.newTransportSession(setup.sessionId);
    const steps: StepOutcome[] = [];
    for (const [index, step] of vectors[name].entries()) {
      const response = await target.handle(step.endpoint, setup.sessionId, new Uint8Array(Buffer.from(step.request_hex, 'hex')));
      steps.push({ index, endpoint: step.endpoint, note: step.note, expectedHex: step.response_hex, actualHex: hex(response) });
    }
    return { steps, handlerErrors: [...(await target.handlerErrors())], unusedRandom: await target.unusedRandom() };
  } finally {
    await target.dispose?.();
  }
}
