// Brute-force limit for session establishment: beyond the reference, which never rate-limits (field-notes.md §3.3).
// After `maxFailures` credential mismatches (sec1 verify-data / sec2 proof, §4.3/§5.5) the device refuses new
// session messages until reboot or until `lockoutMs` of monotonic time has passed. A successful session resets
// the count. Peers: RainMaker stops after 5 wrong PoPs, Matter after 20 failed PASE attempts.
import type { ClockHost } from '../host/clock';
import type { Logger } from '../util/log';

export interface AttemptLimitOptions {
  /** Failures allowed before the lockout; default 5. 0 disables the limit. */
  maxFailures?: number;
  /** Lockout length in ms of monotonic time; undefined = until reboot (default). */
  lockoutMs?: number;
}

export class AttemptLimiter {
  private readonly maxFailures: number;
  private readonly lockoutMs: number | undefined;
  private failures = 0;
  private lockedAt: number | undefined;
  private refusedSinceLock = 0;

  constructor(
    private readonly clock: ClockHost,
    private readonly log: Logger | undefined,
    options: AttemptLimitOptions = {},
  ) {
    this.maxFailures = options.maxFailures ?? 5;
    this.lockoutMs = options.lockoutMs;
    if (!Number.isInteger(this.maxFailures) || this.maxFailures < 0) throw new RangeError('maxFailures must be an integer >= 0');
    if (this.lockoutMs !== undefined && !(this.lockoutMs > 0)) throw new RangeError('lockoutMs must be > 0');
  }

  /** True while new session messages must be refused. Ends the lockout once the window has passed. */
  locked(): boolean {
    if (this.lockedAt === undefined) return false;
    if (this.lockoutMs !== undefined && this.clock.monotonicMs() - this.lockedAt >= this.lockoutMs) {
      this.log?.info(`session lockout over after ${this.refusedSinceLock} refused message(s); accepting sessions again`);
      this.lockedAt = undefined;
      this.failures = 0;
      this.refusedSinceLock = 0;
      return false;
    }
    return true;
  }

  /** Called for each session message refused because of the lockout (for the log only). */
  noteRefused(): void {
    this.refusedSinceLock++;
  }

  recordFailure(): void {
    if (this.maxFailures === 0 || this.lockedAt !== undefined) return;
    this.failures++;
    if (this.failures >= this.maxFailures) {
      this.lockedAt = this.clock.monotonicMs();
      const until = this.lockoutMs === undefined ? 'until reboot' : `for ${this.lockoutMs} ms`;
      this.log?.warn(`${this.failures} failed session attempts: refusing new sessions ${until}`);
    }
  }

  recordSuccess(): void {
    this.failures = 0;
  }

  failureCount(): number {
    return this.failures;
  }
}
