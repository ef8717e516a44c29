// Simulator log sinks for firmware/host/log.ts: stderr in ESP-IDF's line format (`I (1234) tag: message`, the
// number being monotonic ms since boot) and a capturing sink for tests that can prove no secret reached a log
// line in any common encoding (field-notes.md §2 item 11: secrets never logged).
import type { ClockHost } from '../../../firmware/host/clock';
import type { LogHost, LogLevel } from '../../../firmware/host/log';

const LETTER: Record<LogLevel, string> = { error: 'E', warn: 'W', info: 'I', debug: 'D' };
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** One line as esp_log_write prints it (without colour codes). */
export function formatLogLine(level: LogLevel, monotonicMs: number, tag: string, message: string): string {
  return `${LETTER[level] ?? '?'} (${Math.floor(monotonicMs)}) ${tag}: ${message}`;
}

export interface StderrLogOptions {
  /** Source of the ms stamp (the device's monotonic clock, virtual in tests). */
  clock: ClockHost;
  /** Lines above this level are dropped, like CONFIG_LOG_DEFAULT_LEVEL. Default 'debug' (keep all). */
  level?: LogLevel;
  /** Where lines go; default process.stderr. */
  stream?: NodeJS.WritableStream;
}

export function createStderrLog(options: StderrLogOptions): LogHost {
  const max = RANK[options.level ?? 'debug'];
  const stream = options.stream ?? process.stderr;
  return {
    write(level, tag, message) {
      if (RANK[level] > max) return;
      stream.write(formatLogLine(level, options.clock.monotonicMs(), tag, message) + '\n');
    },
  };
}

export interface CapturedLine {
  level: LogLevel;
  tag: string;
  message: string;
  /** The formatted line, as the stderr sink would print it. */
  line: string;
}

function secretForms(secret: string | Uint8Array): { form: string; needle: string; ignoreCase: boolean }[] {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  const forms: { form: string; needle: string; ignoreCase: boolean }[] = [];
  const text = typeof secret === 'string' ? secret : bytes.toString('utf8');
  // Raw bytes appear in a line only as their UTF-8 text; skip a byte secret that is not valid UTF-8.
  if (typeof secret === 'string' || !text.includes('\ufffd')) forms.push({ form: 'plain', needle: text, ignoreCase: false });
  const hex = bytes.toString('hex');
  forms.push({ form: 'hex', needle: hex, ignoreCase: true });
  for (const sep of [':', ' ', '-']) {
    forms.push({ form: `hex with "${sep}"`, needle: hex.match(/../g)!.join(sep), ignoreCase: true });
  }
  // Base64 of the secret embedded at any byte offset of a longer encoded value: with k bytes before it, only the
  // characters that depend on secret bytes alone are fixed; search for those (standard and URL-safe alphabets).
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const first = Math.ceil((8 * k) / 6);
    const last = Math.floor((8 * (k + bytes.length)) / 6);
    const core = encoded.slice(first, last);
    if (core.length < 4) continue;
    forms.push({ form: `base64 (offset ${k})`, needle: core, ignoreCase: false });
    const urlSafe = core.replace(/\+/g, '-').replace(/\//g, '_');
    if (urlSafe !== core) forms.push({ form: `base64url (offset ${k})`, needle: urlSafe, ignoreCase: false });
  }
  return forms;
}

/** A LogHost that records every line, for tests. */
export class CaptureLog implements LogHost {
  readonly entries: CapturedLine[] = [];

  constructor(private readonly clock?: ClockHost) {}

  write(level: LogLevel, tag: string, message: string): void {
    const line = formatLogLine(level, this.clock?.monotonicMs() ?? 0, tag, message);
    this.entries.push({ level, tag, message, line });
  }

  /** Formatted lines, in order. */
  get lines(): string[] {
    return this.entries.map((e) => e.line);
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** Throws if any captured line contains one of the secrets as plain text, hex (any case, optionally separated
   * by ':', ' ' or '-'), or standard/URL-safe base64 at any alignment. Secrets must be at least 4 bytes: shorter
   * ones would match ordinary text by chance. The error names the line and the encoding, never the secret. */
  assertNoSecret(...secrets: (string | Uint8Array)[]): void {
    secrets.forEach((secret, index) => {
      const size = typeof secret === 'string' ? Buffer.byteLength(secret) : secret.length;
      if (size < 4) throw new Error(`assertNoSecret: secret #${index} is ${size} bytes; at least 4 are needed`);
      for (const { form, needle, ignoreCase } of secretForms(secret)) {
        const wanted = ignoreCase ? needle.toLowerCase() : needle;
        this.entries.forEach((entry, lineNo) => {
          const haystack = ignoreCase ? entry.line.toLowerCase() : entry.line;
          if (haystack.includes(wanted)) {
            throw new Error(`log line ${lineNo} (tag "${entry.tag}") contains secret #${index} (${form})`);
          }
        });
      }
    });
  }
}
