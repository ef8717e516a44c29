// SocketHost inside the xsnap worker. Sockets and listeners are handle ids on the Node side; their callbacks live in
// the channel table. For an accepted connection the parent chooses the (negative) callback id in the onAccept
// command and the SocketCallbacks that onAccept returns are registered under it, so events for the new connection
// can be queued by the parent before the worker has answered (commands are delivered in order).
import type { Listener, ListenerCallbacks, Socket, SocketCallbacks, SocketError, SocketHost } from '../socket';
import type { CallbackTarget, XsChannel } from './channel';

class XsSocket implements Socket {
  constructor(private readonly channel: XsChannel, private readonly handle: number) {}
  write(data: Uint8Array): number {
    return this.channel.request('socket.write', [this.handle, data]) as number;
  }
  close(): void {
    this.channel.request('socket.close', [this.handle]);
  }
}

/** Dispatches socket events; forgets the callbacks after onClose (exactly one per socket by contract). */
function socketTarget(channel: XsChannel, callbacks: SocketCallbacks, id: () => number): CallbackTarget {
  return {
    invoke(method, a) {
      switch (method) {
        case 'onConnect':
          return callbacks.onConnect();
        case 'onData':
          return callbacks.onData(a[0] as Uint8Array);
        case 'onClose':
          channel.unregister(id());
          return callbacks.onClose(a[0] as SocketError | undefined);
        default:
          throw new Error(`socket: unknown callback ${method}`);
      }
    },
  };
}

export function createXsSocketHost(channel: XsChannel): SocketHost {
  return {
    connect(options, callbacks) {
      let id = 0;
      id = channel.register(socketTarget(channel, callbacks, () => id));
      try {
        return new XsSocket(channel, channel.request('socket.connect', [options, id]) as number);
      } catch (error) {
        channel.unregister(id);
        throw error;
      }
    },
    listen(options, callbacks: ListenerCallbacks): Listener {
      const id = channel.register({
        invoke(method, a) {
          if (method !== 'onAccept') throw new Error(`listener: unknown callback ${method}`);
          const [handle, remote, socketCallbackId] = a as [number, string, number];
          const socketCallbacks = callbacks.onAccept(new XsSocket(channel, handle), remote);
          channel.registerAs(socketCallbackId, socketTarget(channel, socketCallbacks, () => socketCallbackId));
          return undefined;
        },
      });
      let reply: { handle: number; port: number };
      try {
        reply = channel.request('socket.listen', [options, id]) as { handle: number; port: number };
      } catch (error) {
        channel.unregister(id);
        throw error;
      }
      return {
        port: reply.port,
        close() {
          channel.request('listener.close', [reply.handle]);
          channel.unregister(id);
        },
      };
    },
  };
}
