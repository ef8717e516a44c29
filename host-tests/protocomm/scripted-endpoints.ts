// Test endpoint handlers for transcript replay (unified-provisioning.md §12): each call must carry the next
// expected plaintext for its endpoint (request_plain_hex) and is answered with the recorded plaintext
// (response_plain_hex). Plain ES2022 with no Node APIs, so the XS replay can bundle it into the worker.
import type { EndpointRegistry } from '../../firmware/protocomm/types';
import { fromHex, toHex } from '../../firmware/util/bytes';

export interface PlainExchange {
  endpoint: string;
  requestPlainHex: string;
  responsePlainHex: string;
}

export interface ScriptedEndpoints {
  /** Mismatches seen so far ("prov-scan #2: got ..., expected ..."). */
  errors: string[];
  /** How many scripted exchanges were answered. */
  answered(): number;
}

/** Registers one handler per endpoint named in `exchanges`; exchanges for one endpoint are consumed in order. */
export function addScriptedEndpoints(registry: EndpointRegistry, exchanges: PlainExchange[]): ScriptedEndpoints {
  const queues = new Map<string, PlainExchange[]>();
  for (const e of exchanges) {
    const q = queues.get(e.endpoint) ?? [];
    q.push(e);
    queues.set(e.endpoint, q);
  }
  const errors: string[] = [];
  let answered = 0;
  queues.forEach((queue, name) => {
    let index = 0;
    registry.addEndpoint(name, (_sessionId, request, reply) => {
      const expected = queue[index++];
      if (!expected) {
        errors.push(`${name}: unexpected extra request ${toHex(request)}`);
        reply(undefined);
        return;
      }
      if (toHex(request) !== expected.requestPlainHex) {
        errors.push(`${name} #${index}: got ${toHex(request)}, expected ${expected.requestPlainHex}`);
        reply(undefined);
        return;
      }
      answered++;
      reply(fromHex(expected.responsePlainHex));
    });
  });
  return { errors, answered: () => answered };
}
