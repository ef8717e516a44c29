// Console provisioning transport over UART0 (unified-provisioning.md §9.3; esp-idf protocomm_console): echoed
// input, prompt "\n>> ", one `<endpoint> <session-id> <payload-hex>` line per request, response printed as
// lowercase hex. Bounded per field-notes.md §3.2 "Console line bounds": a 256-byte line buffer that never overflows.

import type { UartHost } from '../host/uart';
import type { Protocomm } from '../protocomm/types';
import { asciiEncode, fromHex, toHex } from '../util/bytes';
import type { Logger } from '../util/log';

/** protocomm_console's LINE_BUF_SIZE: the line and its terminating CR share 256 bytes. */
export const LINE_BUFFER_BYTES = 256;
export const MAX_LINE_CHARS = LINE_BUFFER_BYTES - 1;
export const PROMPT = '\n>> ';

const CR = 13;
const LF = 10;

export interface ConsoleOptions {
  uart: UartHost;
  protocomm: Protocomm;
  logger: Logger;
  /** Endpoint names listed by `help`, used when start() is not given the endpoint list. Optional. */
  endpointNames?: () => readonly string[];
  /** Input received while a request is being handled waits here, like bytes in the UART driver's RX buffer;
   * beyond this many bytes further input is dropped (a UART FIFO overflow). */
  maxPendingInputBytes?: number;
}

/** One parsed request line, or why it was rejected. Exported for tests and fuzzing. */
export type ConsoleLine =
  | { kind: 'empty' }
  | { kind: 'help' }
  | { kind: 'request'; endpoint: string; sessionId: number; payload: Uint8Array }
  | { kind: 'error'; message: string };

/** Splits a line on spaces and tabs and validates `<endpoint> <session-id decimal u32> <hex pairs>`. Stricter than
 * the reference's atoi/sscanf (which read "abc" as session 0 and an odd hex tail as garbage): a malformed line is
 * rejected with a message and nothing reaches protocomm. */
export function parseConsoleLine(line: string): ConsoleLine {
  const tokens = line.split(/[ \t]+/).filter((t) => t.length > 0);
  if (tokens.length === 0) return { kind: 'empty' };
  if (tokens.length === 1 && tokens[0] === 'help') return { kind: 'help' };
  if (tokens.length !== 3) return { kind: 'error', message: 'usage: <endpoint> <session-id> <payload-hex>' };
  const [endpoint, sid, hex] = tokens;
  if (!/^[0-9]{1,10}$/.test(sid) || Number(sid) > 0xffffffff) {
    return { kind: 'error', message: 'session id must be a decimal number 0..4294967295' };
  }
  const payload = fromHex(hex);
  if (!payload) return { kind: 'error', message: 'payload must be hex digits in pairs' };
  return { kind: 'request', endpoint, sessionId: Number(sid), payload };
}

export class ProtocommConsole {
  private readonly log: Logger;
  private readonly maxPending: number;
  private readonly line = new Uint8Array(LINE_BUFFER_BYTES);
  private lineLength = 0;
  /** The current line overflowed: swallow input up to the next line end, then report it. */
  private discarding = false;
  private lastWasCR = false;
  private readonly pending: Uint8Array[] = [];
  private pendingOffset = 0;
  private pendingBytes = 0;
  private droppedBytes = 0;
  /** Echo bytes gathered during one pump, written in one UART write before any other output. */
  private echo: number[] = [];
  private busy = false;
  private pumping = false;
  private running = false;
  private lastSessionId: number | undefined;
  /** From start(endpoints): esp_console has one command per endpoint, and an unknown command reaches nobody. */
  private endpoints: Set<string> | undefined;

  constructor(private readonly options: ConsoleOptions) {
    this.log = options.logger.child('console');
    this.maxPending = options.maxPendingInputBytes ?? 1024;
  }

  start(endpoints?: readonly { readonly name: string }[]): void {
    if (this.running) throw new Error('console already started');
    if (endpoints) this.endpoints = new Set(endpoints.map((e) => e.name));
    this.running = true;
    this.options.uart.open((data) => this.onData(data));
    this.print(PROMPT);
    this.log.info('console transport started');
  }

  /** Provisioning finished: release the UART (protocomm_console_stop) and end the console's session. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.pending.length = 0;
    this.pendingBytes = 0;
    this.pendingOffset = 0;
    this.line.fill(0);
    this.lineLength = 0;
    this.echo = [];
    try {
      this.options.uart.close();
    } catch (error) {
      this.log.warn(`uart close failed: ${(error as Error).message}`);
    }
    if (this.lastSessionId !== undefined) this.options.protocomm.closeTransportSession(this.lastSessionId);
    this.lastSessionId = undefined;
    this.log.info('console transport stopped');
  }

  private onData(data: Uint8Array): void {
    if (!this.running || data.length === 0) return;
    this.pending.push(data.slice());
    this.pendingBytes += data.length;
    this.pump();
    // What is left waits for a reply (only then does input stay unprocessed); keep at most maxPending bytes of it.
    while (this.pendingBytes > this.maxPending) {
      const last = this.pending[this.pending.length - 1];
      const excess = this.pendingBytes - this.maxPending;
      const usable = this.pending.length === 1 ? last.length - this.pendingOffset : last.length;
      const cut = Math.min(excess, usable);
      this.droppedBytes += cut;
      this.pendingBytes -= cut;
      if (cut === usable) {
        this.pending.pop();
        if (this.pending.length === 0) this.pendingOffset = 0;
      } else {
        this.pending[this.pending.length - 1] = last.subarray(0, last.length - cut);
      }
    }
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.running && !this.busy && this.pendingBytes > 0) {
        const chunk = this.pending[0];
        const b = chunk[this.pendingOffset++];
        this.pendingBytes--;
        if (this.pendingOffset >= chunk.length) {
          this.pending.shift();
          this.pendingOffset = 0;
        }
        this.onByte(b);
      }
    } finally {
      this.pumping = false;
    }
    this.flushEcho();
    if (this.droppedBytes > 0 && !this.busy) {
      this.log.warn(`console input overflow: ${this.droppedBytes} bytes dropped`);
      this.droppedBytes = 0;
    }
  }

  private onByte(b: number): void {
    // A line ends with CR (a terminal's Enter); LF alone (a pipe) ends it too, and the LF of CRLF is swallowed.
    if (b === LF && this.lastWasCR) {
      this.lastWasCR = false;
      return;
    }
    this.lastWasCR = b === CR;
    if (b === CR || b === LF) {
      this.print('\r\n');
      this.endLine();
      return;
    }
    this.echo.push(b); // echo, as protocomm_console does for every byte it reads
    if (this.discarding) return;
    if (this.lineLength >= MAX_LINE_CHARS) {
      this.discarding = true;
      this.line.fill(0);
      this.lineLength = 0;
      return;
    }
    this.line[this.lineLength++] = b;
  }

  private endLine(): void {
    if (this.discarding) {
      this.discarding = false;
      this.print(`error: line longer than ${MAX_LINE_CHARS} characters, discarded\r\n`);
      this.print(PROMPT);
      return;
    }
    let text = '';
    for (let i = 0; i < this.lineLength; i++) text += String.fromCharCode(this.line[i]);
    // The line may carry a sec0 Wi-Fi passphrase in hex: do not keep it around.
    this.line.fill(0);
    this.lineLength = 0;
    const parsed = parseConsoleLine(text);
    switch (parsed.kind) {
      case 'empty':
        this.print(PROMPT);
        return;
      case 'help':
        this.printHelp();
        this.print(PROMPT);
        return;
      case 'error':
        this.print(`error: ${parsed.message}\r\n`);
        this.print(PROMPT);
        return;
      case 'request':
        if (this.endpoints && !this.endpoints.has(parsed.endpoint)) {
          // The reference runs no command (and starts no session) for an unknown name.
          this.print('error: unknown endpoint\r\n');
          this.print(PROMPT);
          return;
        }
        this.request(parsed.endpoint, parsed.sessionId, parsed.payload);
        return;
    }
  }

  private request(endpoint: string, sessionId: number, payload: Uint8Array): void {
    const protocomm = this.options.protocomm;
    // §9.3: a session id other than the last one used starts a new transport session.
    if (sessionId !== this.lastSessionId) {
      protocomm.newTransportSession(sessionId);
      this.lastSessionId = sessionId;
    }
    this.busy = true;
    let replied = false;
    const reply = (response: Uint8Array | undefined) => {
      if (replied) return;
      replied = true;
      payload.fill(0);
      this.busy = false;
      if (!this.running) return;
      // Success: "\r\n<hex>\r\n". A handler error prints nothing but the next prompt (§9.3).
      if (response !== undefined) this.print(`\r\n${toHex(response)}\r\n`);
      this.print(PROMPT);
      this.pump();
    };
    try {
      protocomm.handle(endpoint, sessionId, payload, reply);
    } catch (error) {
      this.log.error(`protocomm.handle threw: ${(error as Error).message}`);
      reply(undefined);
    }
  }

  private printHelp(): void {
    let text = 'usage: <endpoint> <session-id> <payload-hex>\r\n';
    const names = this.endpoints ? [...this.endpoints] : (this.options.endpointNames?.() ?? []);
    if (names.length > 0) text += `endpoints: ${names.join(' ')}\r\n`;
    this.print(text);
  }

  private print(text: string): void {
    this.flushEcho();
    this.options.uart.write(asciiEncode(text));
  }

  private flushEcho(): void {
    if (this.echo.length === 0 || !this.running) return;
    const bytes = Uint8Array.from(this.echo);
    this.echo = [];
    this.options.uart.write(bytes);
  }
}
