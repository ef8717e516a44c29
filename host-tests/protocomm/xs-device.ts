// The XS device factory for replay.ts: the same protocomm code bundled into an xsnap worker (host-tests/xs
// harness), with crypto served by the Node simulator host whose randomness is pinned per transcript. Also gives
// per-step XS meter readings (computrons, heap) for the bench.
import { createNodeCryptoHost, scriptedRandom } from '../../tools/sim/host/crypto';
import { createNodeHost } from '../../tools/sim/host/index';
import { XsSession } from '../xs/harness';
import type { ReplayFactory, ReplayTarget } from './replay';

export const XS_ENTRY = 'host-tests/protocomm/xs-entry.ts';

export interface XsStepMeter {
  /** Computrons of the exchange (host crypto runs in Node, outside the meter). */
  compute: number;
  /** Slot heap in use after the step, and chunk bytes allocated so far. */
  heapSlots: number;
  allocatedBytes: number;
}

export interface XsReplayTarget extends ReplayTarget {
  meters: XsStepMeter[];
}

export const xsFactory: ReplayFactory = async (setup) => xsDevice(setup);

export async function xsDevice(setup: Parameters<ReplayFactory>[0]): Promise<XsReplayTarget> {
  const random = scriptedRandom(setup.randomHex.map((h) => new Uint8Array(Buffer.from(h, 'hex'))));
  const host = createNodeHost({ clock: 'virtual', log: 'capture' });
  const session = await XsSession.start(XS_ENTRY, { host: { ...host, crypto: createNodeCryptoHost(random) } });
  await session.command('protocomm.setup', setup);
  const meters: XsStepMeter[] = [];
  return {
    meters,
    async newTransportSession(id) {
      await session.command('protocomm.newTransportSession', id);
    },
    async handle(endpoint, sessionId, request) {
      const out = (await session.command('protocomm.handle', { endpoint, sessionId, request })) as { replied: number; response?: Uint8Array };
      const m = session.worker.lastMeter;
      meters.push({ compute: m?.compute ?? 0, heapSlots: m?.currentHeapCount ?? 0, allocatedBytes: m?.allocate ?? 0 });
      if (out.replied !== 1) throw new Error(`XS protocomm replied ${out.replied} times to ${endpoint}`);
      return out.response;
    },
    async handlerErrors() {
      return (await session.command('protocomm.handlerErrors')) as string[];
    },
    unusedRandom: () => random.remaining(),
    async dispose() {
      session.checkUncaught();
      await session.finish();
      await session.close();
    },
  };
}
