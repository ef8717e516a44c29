// Firmware dispatcher: the one queue through which the Node host providers call back into firmware, so callbacks
// run one at a time on "the firmware's single thread" (firmware/host/timers.ts, socket.ts contracts). On the chip
// this is the XS task's message queue (modMessagePostToMachine); here it also copes with firmware running in an
// xsnap worker, where a callback returns a Promise on the Node side that settles when the worker finished it.
//
// Rules it enforces:
// - never re-entrant: a callback posted while another is running (for example from inside a host call the
//   firmware made) waits until that one has returned;
// - a callback whose result is a thenable (XS bridge) holds the queue until it settles, so the next firmware
//   callback never starts while the previous one is still running in the worker;
// - when idle and the callback returns a plain value, it runs synchronously, so in-process tests stay simple.

export type DispatchErrorHandler = (error: unknown) => void;

interface Job {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** By default an exception escaping a firmware callback is rethrown outside the queue (an uncaught exception,
 * as an unhandled exception in an XS callback aborts the machine on the chip); it never stalls the queue. */
const rethrowLater: DispatchErrorHandler = (error) => {
  setImmediate(() => {
    throw error;
  });
};

export class FirmwareDispatcher {
  private readonly queue: Job[] = [];
  private busy = false;

  constructor(private readonly onError: DispatchErrorHandler = rethrowLater) {}

  /** True while a firmware callback is running (or its XS Promise is pending). */
  get running(): boolean {
    return this.busy;
  }

  /** Runs `callback` now if idle, otherwise after everything queued before it. Errors go to onError. */
  post(callback: () => unknown): void {
    this.enqueue(callback).catch(this.onError);
  }

  /** Like post(), for callbacks whose result the host needs (e.g. ListenerCallbacks.onAccept): resolves with the
   * callback's result, awaited if it is a thenable. */
  request<T>(callback: () => T | PromiseLike<T>): Promise<T> {
    return this.enqueue(callback) as Promise<T>;
  }

  private enqueue(run: () => unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ run, resolve, reject });
      if (!this.busy) this.drain();
    });
  }

  private drain(): void {
    this.busy = true;
    for (let job = this.queue.shift(); job; job = this.queue.shift()) {
      let result: unknown;
      try {
        result = job.run();
      } catch (error) {
        job.reject(error);
        continue;
      }
      if (isThenable(result)) {
        const current = job;
        // Keep `busy` set until the worker finished this callback, then continue with the rest of the queue.
        Promise.resolve(result)
          .then(current.resolve, current.reject)
          .finally(() => this.drain());
        return;
      }
      job.resolve(result);
    }
    this.busy = false;
  }
}
