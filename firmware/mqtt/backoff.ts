// Reconnect delay: exponential backoff with "full jitter" (delay uniform in [0, min(cap, base·2^attempt)]), so a
// fleet that lost its broker at the same moment does not reconnect in lock-step (openremote.md §0 item 8, §4.2:
// every CONNECT costs the broker a Keycloak round-trip; field-notes.md §2 item 9: esp-mqtt's fixed 10 s).
import type { CryptoHost } from '../host/crypto';

export interface BackoffOptions {
  /** Upper bound of the first delay, ms (default 1000: the first retry comes within a second). */
  baseMs: number;
  /** Cap of the window, ms (default 60000). */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ baseMs: 1000, capMs: 60_000 });

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly random: Pick<CryptoHost, 'randomBytes'>,
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
  ) {
    if (!(options.baseMs > 0) || !(options.capMs >= options.baseMs)) throw new RangeError('backoff needs 0 < baseMs <= capMs');
  }

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** Upper bound of the window the next delay is drawn from. */
  windowMs(): number {
    // 2^attempt overflows nothing: the exponent stops growing once the cap is reached.
    const exp = Math.min(this.attempt, 30);
    return Math.min(this.options.capMs, this.options.baseMs * 2 ** exp);
  }

  /** Draws the next delay and counts the attempt. */
  next(): number {
    const window = this.windowMs();
    this.attempt++;
    const r = this.random.randomBytes(4);
    const unit = (((r[0] << 24) >>> 0) + (r[1] << 16) + (r[2] << 8) + r[3]) / 4294967296; // [0, 1)
    return Math.floor(unit * (window + 1));
  }

  reset(): void {
    this.attempt = 0;
  }
}
