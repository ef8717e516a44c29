// In-memory SocketHost (listen side only) for deterministic HTTP transport tests and fuzzing: each "client" is a
// byte pipe into the server's SocketCallbacks. Models: ordered delivery, arbitrary splits of the byte stream, a
// peer close, the listener's maxConnections (refused beyond it), onClose exactly once. Does not model: TCP
// windows/backpressure (write() always reports 0 queued), timing, partial writes.
import type { Listener, ListenerCallbacks, Socket, SocketCallbacks, SocketHost } from '../../firmware/host/socket';
import { SocketError } from '../../firmware/host/socket';

export class MemoryClient {
  readonly chunks: Uint8Array[] = [];
  /** Set when the server closed the connection (or it was refused). */
  serverClosed = false;
  peerClosed = false;
  callbacks: SocketCallbacks | undefined;

  constructor(private readonly host: MemorySocketHost) {}

  /** Bytes the server wrote, as Latin-1 text. */
  get text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  clear(): void {
    this.chunks.length = 0;
  }

  get open(): boolean {
    return !this.serverClosed && !this.peerClosed;
  }

  send(data: string | Uint8Array): void {
    if (!this.open || !this.callbacks) throw new Error('memory client: send on a closed connection');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.host.bytesIn += bytes.length;
    this.callbacks.onData(new Uint8Array(bytes));
  }

  /** The client closes its side (FIN): the server sees onClose(undefined). */
  close(): void {
    if (!this.open) return;
    this.peerClosed = true;
    this.host.live.delete(this);
    this.callbacks?.onClose(undefined);
  }

  /** The client resets: the server sees onClose(RESET). */
  reset(): void {
    if (!this.open) return;
    this.peerClosed = true;
    this.host.live.delete(this);
    this.callbacks?.onClose(new SocketError('RESET', 'connection reset by peer'));
  }
}

export class MemorySocketHost implements SocketHost {
  listenCallbacks: ListenerCallbacks | undefined;
  maxConnections = 0;
  readonly live = new Set<MemoryClient>();
  bytesIn = 0;
  refused = 0;

  connect(): Socket {
    throw new Error('MemorySocketHost: connect() is not modelled');
  }

  listen(options: { port: number; maxConnections: number }, callbacks: ListenerCallbacks): Listener {
    if (this.listenCallbacks) throw new Error('MemorySocketHost: already listening');
    this.listenCallbacks = callbacks;
    this.maxConnections = options.maxConnections;
    return {
      port: options.port === 0 ? 8080 : options.port,
      close: () => {
        this.listenCallbacks = undefined;
      },
    };
  }

  /** A client connects; returns its handle (serverClosed at once if refused). */
  open(remote = '192.168.4.2:50000'): MemoryClient {
    const client = new MemoryClient(this);
    if (!this.listenCallbacks || this.live.size >= this.maxConnections) {
      this.refused++;
      client.serverClosed = true;
      return client;
    }
    this.live.add(client);
    let closing = false;
    const socket: Socket = {
      write: (data) => {
        if (!client.open) throw new SocketError('CLOSED', 'write on a closed socket');
        client.chunks.push(new Uint8Array(data));
        return 0;
      },
      close: () => {
        if (!client.open || closing) return;
        closing = true;
        client.serverClosed = true;
        this.live.delete(client);
        // Contract: close() is followed by exactly one onClose(undefined).
        client.callbacks?.onClose(undefined);
      },
    };
    client.callbacks = this.listenCallbacks.onAccept(socket, remote);
    client.callbacks.onConnect();
    return client;
  }
}
