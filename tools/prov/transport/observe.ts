// A transport wrapper that reports every exchange (endpoint, bytes each way, duration) to an observer: how
// `npm start` draws the sequence diagram of the actual run, and a place for a -v trace. It sees only what the
// transport carries (ciphertext after the session is up), so it reports sizes, never contents.
import type { Transport } from './types';

export interface Exchange {
  endpoint: string;
  requestBytes: number;
  /** undefined: the device sent no response (a handler or session error). */
  responseBytes: number | undefined;
  startMs: number;
  durationMs: number;
}

export function observeTransport(inner: Transport, observer: (exchange: Exchange) => void): Transport {
  return {
    kind: inner.kind,
    endpoints: () => inner.endpoints(),
    close: () => inner.close(),
    async send(endpoint, data) {
      const startMs = Date.now();
      try {
        const response = await inner.send(endpoint, data);
        observer({ endpoint, requestBytes: data.length, responseBytes: response.length, startMs, durationMs: Date.now() - startMs });
        return response;
      } catch (error) {
        observer({ endpoint, requestBytes: data.length, responseBytes: undefined, startMs, durationMs: Date.now() - startMs });
        throw error;
      }
    },
  };
}
