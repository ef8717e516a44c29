// Bench hook for `npm run bench` (owned by the lead): runs each handshake step of a pinned transcript (proto-ver,
// session step 1, session step 2, then the first encrypted request) on Node or on XS and reports per step the wall
// time and, on XS, the computrons and heap after the step. Host crypto (X25519, SHA, AES, the three SRP modexps)
// runs in Node behind the XS provider, outside the XS meter, as it runs in C on the chip.
import { performance } from 'node:perf_hooks';
import { loadVectors, replaySetup, type ReplayTarget, type TranscriptName, type Vectors } from './replay';
import { nodeFactory } from './node-device';
import { xsDevice } from './xs-device';

export interface HandshakeStepFigure {
  transcript: TranscriptName;
  step: string;
  endpoint: string;
  requestBytes: number;
  responseBytes: number;
  /** Wall time of the step including host crypto (and, on XS, the worker round trips). */
  ms: number;
  xs?: { compute: number; heapSlots: number; allocatedBytes: number };
}

/** The handshake plus the first encrypted request: the steps whose cost matters on the chip. */
export function handshakeSteps(vectors: Vectors, name: TranscriptName) {
  const steps = vectors[name];
  const firstEncrypted = steps.findIndex((s) => s.request_plain_hex !== undefined);
  return steps.slice(0, firstEncrypted + 1);
}

/** Runs each handshake step once and checks every response byte for byte (a bench of a broken run is useless). */
export async function benchHandshake(name: TranscriptName, engine: 'node' | 'xs', vectors: Vectors = loadVectors()): Promise<HandshakeStepFigure[]> {
  const setup = replaySetup(vectors, name);
  const xs = engine === 'xs' ? await xsDevice(setup) : undefined;
  const target: ReplayTarget = xs ?? (await nodeFactory(setup));
  const figures: HandshakeStepFigure[] = [];
  try {
    await target.newTransportSession(setup.sessionId);
    for (const step of handshakeSteps(vectors, name)) {
      const request = new Uint8Array(Buffer.from(step.request_hex, 'hex'));
      const t0 = performance.now();
      const response = await target.handle(step.endpoint, setup.sessionId, request);
      const ms = performance.now() - t0;
      const hex = response && Buffer.from(response).toString('hex');
      if (hex !== step.response_hex) throw new Error(`${name} ${step.note}: response differs from the transcript`);
      const meter = xs?.meters[xs.meters.length - 1];
      figures.push({
        transcript: name,
        step: step.note,
        endpoint: step.endpoint,
        requestBytes: request.length,
        responseBytes: response?.length ?? 0,
        ms,
        ...(meter ? { xs: meter } : {}),
      });
    }
  } finally {
    await target.dispose?.();
  }
  return figures;
}
