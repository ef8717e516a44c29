// The Node side of the XS provider (firmware/host/xsnap): serves the worker's synchronous host requests by calling a
// Node `Host` (tools/sim/host, or a test double), and turns that host's callback invocations (timer expiry, socket
// data, BLE writes, Wi-Fi events, ...) into commands into the worker. Wire format: firmware/host/xsnap/codec.ts and
// channel.ts.
//
// Ordering: the worker is single-threaded and, while blocked inside issueCommand, reads the next message on its pipe
// as the reply; XsWorker therefore queues every command and writes it only when the worker is idle, in FIFO order.
// A host callback invoked while the worker is busy (even synchronously, from inside a host call the firmware made)
// is encoded at once and delivered after the exchange in flight.
//
// IMPORTANT for Node-side host implementations: every callback proxy returns a Promise that settles when the
// firmware finished running the callback in the worker. Callbacks whose result the host needs
// (BleCallbacks.onWrite/onRead) therefore return Promise<number> / Promise<Uint8Array | number> here instead of the
// plain value: hosts must `await` those results (awaiting a plain value works the same with firmware on Node).
// ListenerCallbacks.onAccept returns its SocketCallbacks synchronously here (the bridge picks the callback id and
// the worker registers what the firmware returns under it), so awaiting it is optional.
// Errors a firmware callback throws reject that Promise and are also collected in `callbackErrors` (the harness
// fails a run that has any), as an unhandled exception in an XS callback is a firmware bug on the chip too.
// Handles: AES-CTR streams, NVS namespaces, sockets and listeners live here, named by integer handles in the worker.
// A closed one is released and then answers as the seam contracts say a closed object does (CryptoHostError /
// NvsError / SocketError 'CLOSED'); a socket is released once the worker has run its onClose.
// Not modelled: timing. A host call costs one pipe round trip (about 0.1 ms), which the chip does not pay.
import { decodeValue, encodeValue } from '../../firmware/host/xsnap/codec';
import { CryptoHostError } from '../../firmware/host/crypto';
import type { Host } from '../../firmware/host/index';
import { NvsError, type NvsNamespace } from '../../firmware/host/nvs';
import { SocketError, type Listener, type Socket, type SocketCallbacks } from '../../firmware/host/socket';
import type { XsWorker } from '../xs/worker';

export type ExtraOp = (...args: unknown[]) => unknown;

export interface XsBridgeOptions {
  /** Additional request ops the worker may issue (test harness: results, completion marker). */
  extraOps?: Record<string, ExtraOp>;
  /** Called for every error thrown by a firmware callback or reported by XS on console.error (unhandled promise
   * rejection). Default: only collected in `callbackErrors`. */
  onCallbackError?: (error: Error) => void;
}

/** A promise job in the worker failed without a handler (XS reported it through console.error). */
export class XsUncaughtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XsUncaughtError';
  }
}

const NVS_METHODS = new Set([
  'getU8', 'setU8', 'getU32', 'setU32', 'getI32', 'setI32', 'getString', 'setString', 'getBlob', 'setBlob',
  'erase', 'eraseAll', 'commit', 'close',
]);

type HandleKind = 'aes' | 'nvs' | 'socket' | 'listener';

export class XsBridge {
  readonly callbackErrors: Error[] = [];
  /** Lines the worker wrote to console.log/warn/error (XS itself uses console.error for unhandled rejections). */
  readonly consoleLines: { level: string; text: string }[] = [];
  private readonly handles = new Map<number, { kind: HandleKind; object: unknown }>();
  private nextHandle = 1;
  private nextParentCallbackId = -1;
  private readonly ops: Record<string, (args: unknown[]) => unknown>;
  private pendingCommands = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly worker: XsWorker,
    private readonly host: Partial<Host>,
    private readonly options: XsBridgeOptions = {},
  ) {
    this.ops = this.buildOps();
    worker.onRequest = (request) => this.handleRequest(request);
  }

  /** Sends `{k: kind, p: payload}` to a handler the worker registered with XsChannel.onCommand (e.g. 'boot');
   * resolves with its result, rejects with the error it threw (same class and code). */
  command(kind: string, payload?: unknown): Promise<unknown> {
    return this.send(encodeValue({ k: kind, p: payload }));
  }

  /** Invokes a callback registered in the worker. Exposed for tests; host proxies use it internally. */
  invoke(callbackId: number, method: string, args: unknown[]): Promise<unknown> {
    // A host event that arrives after the firmware was closed (simulated power-off) has nobody to go to, as on a
    // board that lost power; it is dropped rather than reported as a firmware error.
    if (!this.worker.acceptsCommands && this.worker.alive) return Promise.resolve(undefined);
    const promise = this.send(encodeValue({ k: 'cb', id: callbackId, m: method, a: args }));
    promise.catch((error: unknown) => this.reportCallbackError(error));
    return promise;
  }

  /** Resolves once every command sent so far has been answered. */
  idle(): Promise<void> {
    if (this.pendingCommands === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Serves one issueCommand() request from the worker. Never throws: host errors go back to the worker. */
  handleRequest(request: Uint8Array): Uint8Array {
    let reply: { r?: unknown; x?: unknown };
    try {
      const { op, a } = decodeValue(request) as { op: string; a: unknown[] };
      const handler = Object.prototype.hasOwnProperty.call(this.ops, op) ? this.ops[op] : undefined;
      if (!handler) throw new Error(`xs-bridge: unknown op '${op}'`);
      reply = { r: handler(Array.isArray(a) ? a : []) };
    } catch (error) {
      reply = { x: error instanceof Error ? error : new Error(String(error)) };
    }
    return encodeValue(reply);
  }

  private send(message: Uint8Array): Promise<unknown> {
    this.pendingCommands++;
    const settle = () => {
      if (--this.pendingCommands === 0) for (const w of this.idleWaiters.splice(0)) w();
    };
    return this.worker.command(message).then(
      (bytes) => {
        settle();
        const reply = decodeValue(bytes) as { r?: unknown; x?: unknown };
        if (reply.x !== undefined) throw reply.x;
        return reply.r;
      },
      (error: unknown) => {
        settle();
        throw error;
      },
    );
  }

  private reportCallbackError(error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    this.callbackErrors.push(e);
    this.options.onCallbackError?.(e);
  }

  private part<K extends keyof Host>(name: K): Host[K] {
    const part = this.host[name];
    if (!part) throw new Error(`xs-bridge: this test's Host has no '${name}' part`);
    return part as Host[K];
  }

  private addHandle(kind: HandleKind, object: unknown): number {
    const handle = this.nextHandle++;
    this.handles.set(handle, { kind, object });
    return handle;
  }

  /** The object behind a handle, or undefined once released (closed). */
  private handle<T>(kind: HandleKind, handle: unknown): T | undefined {
    const entry = this.handles.get(handle as number);
    if (entry && entry.kind !== kind) throw new Error(`xs-bridge: handle ${String(handle)} is not a ${kind}`);
    return entry?.object as T | undefined;
  }

  /** Proxy for SocketCallbacks registered in the worker under `id`; releases the socket handle on onClose. */
  private socketCallbacks(id: number, handle: () => number | undefined): SocketCallbacks {
    return {
      onConnect: () => this.invoke(id, 'onConnect', []) as unknown as void,
      onData: (data) => this.invoke(id, 'onData', [data]) as unknown as void,
      onClose: (error) => {
        // Release the handle only once the worker ran onClose: events queued before it (onData) may still write.
        const release = () => {
          const h = handle();
          if (h !== undefined) this.handles.delete(h);
        };
        const done = this.invoke(id, 'onClose', [error]);
        done.then(release, release);
        return done as unknown as void;
      },
    };
  }

  private buildOps(): Record<string, (args: unknown[]) => unknown> {
    // Released handles answer as the seam contracts say a closed object does.
    const ops: Record<string, (a: any[]) => unknown> = {
      'xs.console': ([level, text]) => {
        this.consoleLines.push({ level: String(level), text: String(text) });
        if (level === 'error') this.reportCallbackError(new XsUncaughtError(String(text)));
      },

      'crypto.randomBytes': ([n]) => this.part('crypto').randomBytes(n),
      'crypto.sha256': ([d]) => this.part('crypto').sha256(d),
      'crypto.sha512': ([d]) => this.part('crypto').sha512(d),
      'crypto.hmacSha256': ([k, d]) => this.part('crypto').hmacSha256(k, d),
      'crypto.x25519': ([p, q]) => this.part('crypto').x25519(p, q),
      'crypto.aesGcmSeal': ([k, iv, p, aad]) => this.part('crypto').aesGcmSeal(k, iv, p, aad),
      'crypto.aesGcmOpen': ([k, iv, c, aad]) => this.part('crypto').aesGcmOpen(k, iv, c, aad),
      'crypto.modPow': ([b, e, m]) => this.part('crypto').modPow(b, e, m),
      'crypto.aesCtr': ([k, ctr]) => this.addHandle('aes', this.part('crypto').aesCtr(k, ctr)),
      'aes.update': ([h, d]) => {
        const stream = this.handle<{ update(d: Uint8Array): Uint8Array }>('aes', h);
        if (!stream) throw new CryptoHostError('CLOSED', 'AES-CTR stream is closed');
        return stream.update(d);
      },
      'aes.close': ([h]) => {
        this.handle<{ close(): void }>('aes', h)?.close();
        this.handles.delete(h);
      },

      'nvs.open': ([ns, mode]) => this.addHandle('nvs', this.part('nvs').open(ns, mode)),
      'nvs.call': ([h, method, args]) => {
        if (!NVS_METHODS.has(method)) throw new Error(`xs-bridge: unknown NVS method '${String(method)}'`);
        const namespace = this.handle<NvsNamespace>('nvs', h);
        if (!namespace) {
          if (method === 'close') return undefined;
          throw new NvsError('CLOSED', 'NVS handle is closed');
        }
        const result = (namespace[method as keyof NvsNamespace] as (...a: unknown[]) => unknown)(...(args as unknown[]));
        if (method === 'close') this.handles.delete(h);
        return result;
      },

      'ble.start': ([options, id]) =>
        this.part('ble').start(options, {
          onConnect: (c, peer) => this.invoke(id, 'onConnect', [c, peer]) as unknown as void,
          onDisconnect: (c, reason) => this.invoke(id, 'onDisconnect', [c, reason]) as unknown as void,
          onMtu: (c, mtu) => this.invoke(id, 'onMtu', [c, mtu]) as unknown as void,
          // Promise on the Node side: BLE simulators must await (see the header).
          onWrite: (c, vh, data) => this.invoke(id, 'onWrite', [c, vh, data]) as unknown as number,
          onRead: (c, vh, offset) => this.invoke(id, 'onRead', [c, vh, offset]) as unknown as number,
        }),
      'ble.startAdvertising': ([adv, scan, interval]) => this.part('ble').startAdvertising(adv, scan, interval),
      'ble.stopAdvertising': () => this.part('ble').stopAdvertising(),
      'ble.disconnect': ([c]) => this.part('ble').disconnect(c),
      'ble.completeWrite': ([c, status]) => this.part('ble').completeWrite(c, status),
      'ble.stop': () => this.part('ble').stop(),

      'wifi.start': ([id]) =>
        this.part('wifi').start({
          onConnected: () => this.invoke(id, 'onConnected', []) as unknown as void,
          onGotIp: (ip) => this.invoke(id, 'onGotIp', [ip]) as unknown as void,
          onLostIp: () => this.invoke(id, 'onLostIp', []) as unknown as void,
          onDisconnected: (reason) => this.invoke(id, 'onDisconnected', [reason]) as unknown as void,
        }),
      'wifi.setMode': ([mode]) => this.part('wifi').setMode(mode),
      'wifi.connect': ([config]) => this.part('wifi').connect(config),
      'wifi.disconnect': () => this.part('wifi').disconnect(),
      'wifi.scan': ([options, id]) =>
        this.part('wifi').scan(options, (records, error) => this.invoke(id, 'done', [records, error]) as unknown as void),
      'wifi.stationInfo': () => this.part('wifi').stationInfo(),
      'wifi.mac': () => this.part('wifi').mac(),
      'wifi.startAccessPoint': ([config]) => {
        const wifi = this.part('wifi');
        if (!wifi.startAccessPoint) throw new Error("the Node host's Wi-Fi has no access point (startAccessPoint)");
        wifi.startAccessPoint(config);
      },
      'wifi.stopAccessPoint': () => this.part('wifi').stopAccessPoint?.(),

      'socket.connect': ([options, id]) => {
        // `handle` is set before any callback can reach the worker (commands wait for this exchange to end).
        let handle: number | undefined;
        const socket = this.part('socket').connect(options, this.socketCallbacks(id, () => handle));
        handle = this.addHandle('socket', socket);
        return handle;
      },
      'socket.write': ([h, data]) => {
        const socket = this.handle<Socket>('socket', h);
        if (!socket) throw new SocketError('CLOSED', 'socket is closed');
        return socket.write(data);
      },
      'socket.close': ([h]) => this.handle<Socket>('socket', h)?.close(),
      'socket.listen': ([options, id]) => {
        const listener = this.part('socket').listen(options, {
          onAccept: (socket, remote) => {
            const socketHandle = this.addHandle('socket', socket);
            const callbackId = this.nextParentCallbackId--;
            void this.invoke(id, 'onAccept', [socketHandle, remote, callbackId]);
            return this.socketCallbacks(callbackId, () => socketHandle);
          },
        });
        return { handle: this.addHandle('listener', listener), port: listener.port };
      },
      'listener.close': ([h]) => {
        this.handle<Listener>('listener', h)?.close();
        this.handles.delete(h);
      },

      'timers.setTimeout': ([ms, id]) => this.part('timers').setTimeout(() => this.invoke(id, 'fire', []) as unknown as void, ms),
      'timers.setInterval': ([ms, id]) => this.part('timers').setInterval(() => this.invoke(id, 'fire', []) as unknown as void, ms),
      'timers.clear': ([timerId]) => this.part('timers').clear(timerId),

      'clock.monotonicMs': () => this.part('clock').monotonicMs(),
      'clock.wallMs': () => this.part('clock').wallMs(),
      'log.write': ([level, tag, message]) => this.part('log').write(level, tag, message),
      'device.mac': () => this.part('device').mac(),
      'device.chipModel': () => this.part('device').chipModel(),
      'device.restart': () => this.part('device').restart(),
      'device.freeHeapBytes': () => this.part('device').freeHeapBytes(),
      'button.onEvent': ([id]) => this.part('button').onEvent((event) => this.invoke(id, 'onEvent', [event]) as unknown as void),
      'uart.open': ([id]) => this.part('uart').open((data) => this.invoke(id, 'onData', [data]) as unknown as void),
      'uart.write': ([data]) => this.part('uart').write(data),
      'uart.close': () => this.part('uart').close(),
    };
    for (const [name, op] of Object.entries(this.options.extraOps ?? {})) {
      if (name in ops) throw new Error(`xs-bridge: extra op '${name}' shadows a host op`);
      ops[name] = (args) => op(...args);
    }
    return ops;
  }
}
