// Firmware logging with secret redaction. Every module logs through a Logger; secrets (PoP, Wi-Fi passphrase, MQTT
// password, keys) are registered once and masked in every later line, and `redact()` marks a value that must never
// be printed. Defence in depth: callers still should not pass secrets (field-notes.md §2 item 11, §3.2 last item).
import type { LogHost, LogLevel } from '../host/log';

const LEVELS: Record<LogLevel, number> = Object.freeze({ error: 0, warn: 1, info: 2, debug: 3 });

/** What a secret looks like in a log line: its length only. */
export function redact(secret: string | Uint8Array | undefined): string {
  if (secret === undefined) return '<unset>';
  return `<redacted ${secret.length}${typeof secret === 'string' ? ' chars' : ' bytes'}>`;
}

export class SecretRegistry {
  private secrets: string[] = [];

  /** Registers a secret so any later log line containing it is masked. Values shorter than 4 are not
   * registered (masking "1" everywhere would destroy logs; such values must never be logged explicitly). */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 4 || this.secrets.includes(secret)) return;
    this.secrets.push(secret);
    this.secrets.sort((a, b) => b.length - a.length);
  }

  remove(secret: string | undefined): void {
    if (secret) this.secrets = this.secrets.filter((s) => s !== secret);
  }

  scrub(line: string): string {
    let out = line;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(redact(s));
    return out;
  }
}

export class Logger {
  constructor(
    private readonly host: LogHost,
    private readonly tag: string,
    private readonly secrets: SecretRegistry,
    private readonly level: LogLevel = 'info',
  ) {}

  child(tag: string): Logger {
    return new Logger(this.host, tag, this.secrets, this.level);
  }

  error(message: string): void {
    this.write('error', message);
  }
  warn(message: string): void {
    this.write('warn', message);
  }
  info(message: string): void {
    this.write('info', message);
  }
  debug(message: string): void {
    this.write('debug', message);
  }

  private write(level: LogLevel, message: string): void {
    if (LEVELS[level] > LEVELS[this.level]) return;
    this.host.write(level, this.tag, this.secrets.scrub(message));
  }
}
