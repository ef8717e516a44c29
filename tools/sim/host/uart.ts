// Simulated console UART (firmware/host/uart.ts): bytes over a Readable/Writable pair (stdin/stdout by default),
// or an in-memory terminal for tests. No line discipline or echo here: that is firmware/transport/console.ts's
// job, as on the chip. open()/close() start and stop reception (close then open again, e.g. across a simulated
// reboot, is fine); write() works whether or not reception is open, like console output on the chip.
// Not modelled: baud rate, the 128-byte RX FIFO and overruns.
import type { UartHost } from '../../../firmware/host/uart';
import { FirmwareDispatcher } from './dispatch';

export interface StreamUartOptions {
  input?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output?: NodeJS.WritableStream;
  /** Put a TTY input in raw mode while open, so the terminal neither echoes nor buffers lines (a serial
   * monitor behaves so). Ctrl-C then arrives as byte 0x03. Default false. */
  raw?: boolean;
  dispatcher?: FirmwareDispatcher;
}

export function createStreamUart(options: StreamUartOptions = {}): UartHost {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const dispatcher = options.dispatcher ?? new FirmwareDispatcher();
  let listener: ((chunk: Buffer | string) => void) | undefined;
  return {
    open(onData) {
      if (listener) throw new Error('uart: already open');
      listener = (chunk) => {
        const bytes = new Uint8Array(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
        dispatcher.post(() => onData(bytes));
      };
      if (options.raw && input.isTTY && input.setRawMode) input.setRawMode(true);
      input.on('data', listener);
      input.resume();
    },
    write(data) {
      output.write(Buffer.from(data));
    },
    close() {
      if (!listener) return;
      input.removeListener('data', listener);
      input.pause(); // lets the process exit: a paused stdin holds no reference
      if (options.raw && input.isTTY && input.setRawMode) input.setRawMode(false);
      listener = undefined;
    },
  };
}

/** In-memory UART for tests: `type()` plays the terminal's keyboard, `received` what the firmware printed. */
export class MemoryUart implements UartHost {
  private onData: ((data: Uint8Array) => void) | undefined;
  private readonly chunks: Uint8Array[] = [];
  private readonly watchers: ((data: Uint8Array) => void)[] = [];

  constructor(private readonly dispatcher: FirmwareDispatcher = new FirmwareDispatcher()) {}

  open(onData: (data: Uint8Array) => void): void {
    if (this.onData) throw new Error('uart: already open');
    this.onData = onData;
  }

  write(data: Uint8Array): void {
    const copy = new Uint8Array(data);
    this.chunks.push(copy);
    for (const watch of this.watchers) watch(copy);
  }

  close(): void {
    this.onData = undefined;
  }

  /** Sends bytes (or UTF-8 text) to the firmware. Dropped while the UART is not open, like bytes on a wire
   * nobody reads. */
  type(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data);
    const onData = this.onData;
    if (onData) this.dispatcher.post(() => onData(bytes));
  }

  /** Everything the firmware wrote so far. */
  get received(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.chunks));
  }

  receivedText(): string {
    return Buffer.from(this.received).toString('utf8');
  }

  /** Calls `watch` with each later write (e.g. to resolve a test waiting for a prompt). */
  onOutput(watch: (data: Uint8Array) => void): void {
    this.watchers.push(watch);
  }
}
