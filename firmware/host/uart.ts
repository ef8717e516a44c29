// Console UART host (UART0). ESP32: uart driver on UART0 at 115200 8N1. Simulator: stdin/stdout.
// Bytes in, bytes out; line discipline and echo are the console transport's job (firmware/transport/console.ts).

export interface UartHost {
  /** Starts delivering received bytes. */
  open(onData: (data: Uint8Array) => void): void;
  write(data: Uint8Array): void;
  close(): void;
}
