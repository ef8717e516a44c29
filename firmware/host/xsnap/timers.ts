// TimerHost inside the xsnap worker: the Node timer host keeps time; expiries arrive as commands. Clearing a timer
// unregisters its callback at once, so an expiry the parent had already queued is dropped (as on the chip).
import type { TimerHost, TimerId } from '../timers';
import type { XsChannel } from './channel';

export function createXsTimerHost(channel: XsChannel): TimerHost {
  const callbackIds = new Map<TimerId, number>();
  const schedule = (op: string, callback: () => void, ms: number, once: boolean): TimerId => {
    let timerId: TimerId | undefined;
    const id = channel.register({
      invoke() {
        if (once) {
          channel.unregister(id);
          if (timerId !== undefined) callbackIds.delete(timerId);
        }
        callback();
      },
    });
    try {
      timerId = channel.request(op, [ms, id]) as TimerId;
    } catch (error) {
      channel.unregister(id);
      throw error;
    }
    callbackIds.set(timerId, id);
    return timerId;
  };
  return {
    setTimeout: (callback, ms) => schedule('timers.setTimeout', callback, ms, true),
    setInterval: (callback, ms) => schedule('timers.setInterval', callback, ms, false),
    clear(id) {
      const callbackId = callbackIds.get(id);
      if (callbackId !== undefined) {
        channel.unregister(callbackId);
        callbackIds.delete(id);
      }
      channel.request('timers.clear', [id]);
    },
  };
}
