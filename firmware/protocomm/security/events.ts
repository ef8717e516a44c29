// Session-event posting for the security schemes (unified-provisioning.md §8.7). An application callback that
// throws must not break a half-finished session step, so every post is isolated here.
import type { Logger } from '../../util/log';
import type { SecuritySessionEvent, SecuritySessionEventHandler } from '../types';

export function makeEventPoster(handler: SecuritySessionEventHandler | undefined, log: Logger | undefined) {
  return (event: SecuritySessionEvent, sessionId: number): void => {
    if (!handler) return;
    try {
      handler(event, sessionId);
    } catch (error) {
      log?.warn(`session event handler threw on ${event}: ${(error as Error)?.message ?? String(error)}`);
    }
  };
}
