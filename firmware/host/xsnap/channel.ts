// The worker side of the xsnap command pipe (simulator on XS; firmware/host/index.ts). Two directions:
// - request(op, args): firmware → Node host. xsnap's global issueCommand(ArrayBuffer) is SYNCHRONOUS: the worker
//   blocks until the parent (tools/sim/xs-bridge.ts) answers, so host calls keep their synchronous seam signatures.
// - commands: Node → firmware. The parent calls globalThis.handleCommand(ArrayBuffer); we dispatch on `k`:
//   'cb' invokes a registered callback (timer fired, socket data, BLE write, ...), any other kind goes to a handler
//   added with onCommand() (e.g. 'boot'). xsnap drains promise jobs after each command, before it answers.
// Messages (codec.ts): request {op, a: args} → {r: result} | {x: Error}; command {k:'cb', id, m, a} or {k, p} →
//   {r: result} | {x: Error}. Callback ids: positive ones are allocated here, negative ones by the parent (for
//   callbacks the firmware RETURNS, e.g. the SocketCallbacks from ListenerCallbacks.onAccept).
import { decodeValue, encodeValue } from './codec';

/** What the parent can invoke: one registered callback object, adapted to take decoded arguments. */
export interface CallbackTarget {
  invoke(method: string, args: unknown[]): unknown;
}

type CommandHandler = (payload: unknown) => unknown;

interface XsGlobals {
  issueCommand?: (message: ArrayBuffer) => ArrayBuffer;
  handleCommand?: (message: ArrayBuffer) => ArrayBuffer;
  console?: unknown;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
  return bytes.slice().buffer as ArrayBuffer;
}

export class XsChannel {
  private readonly callbacks = new Map<number, CallbackTarget>();
  private readonly commands = new Map<string, CommandHandler>();
  private nextCallbackId = 1;

  private constructor(private readonly issue: (message: ArrayBuffer) => ArrayBuffer) {}

  /** Installs globalThis.handleCommand and a console whose output reaches the parent (XS reports unhandled promise
   * rejections through console.error; without a console they would only reach stderr). One channel per worker. */
  static install(): XsChannel {
    const g = globalThis as unknown as XsGlobals;
    if (typeof g.issueCommand !== 'function') throw new Error('XsChannel: not running in an xsnap worker');
    if (g.handleCommand) throw new Error('XsChannel: already installed');
    const channel = new XsChannel(g.issueCommand);
    g.handleCommand = (message) => channel.handle(message);
    const report = (level: string) => (...args: unknown[]) => {
      channel.request('xs.console', [level, args.map((a) => String(a)).join(' ')]);
    };
    g.console = { error: report('error'), warn: report('warn'), log: report('log') };
    return channel;
  }

  /** Synchronous call into the Node host; rethrows the host's error (same class and code, see codec.ts). */
  request(op: string, args: unknown[]): unknown {
    const reply = decodeValue(new Uint8Array(this.issue(toArrayBuffer(encodeValue({ op, a: args }))))) as {
      r?: unknown;
      x?: unknown;
    };
    if (reply.x !== undefined) throw reply.x;
    return reply.r;
  }

  /** Registers a callback target; returns the id the parent uses to invoke it. */
  register(target: CallbackTarget): number {
    const id = this.nextCallbackId++;
    this.callbacks.set(id, target);
    return id;
  }

  /** Registers under an id chosen by the parent (negative). */
  registerAs(id: number, target: CallbackTarget): void {
    if (id >= 0 || this.callbacks.has(id)) throw new RangeError(`XsChannel: bad parent callback id ${id}`);
    this.callbacks.set(id, target);
  }

  /** Later invocations of `id` are dropped (a cleared timer, a closed socket). */
  unregister(id: number): void {
    this.callbacks.delete(id);
  }

  get callbackCount(): number {
    return this.callbacks.size;
  }

  onCommand(kind: string, handler: CommandHandler): void {
    if (kind === 'cb' || this.commands.has(kind)) throw new Error(`XsChannel: command '${kind}' already handled`);
    this.commands.set(kind, handler);
  }

  private handle(message: ArrayBuffer): ArrayBuffer {
    let reply: { r?: unknown; x?: unknown; dropped?: boolean };
    try {
      const command = decodeValue(new Uint8Array(message)) as { k: string; id?: number; m?: string; a?: unknown[]; p?: unknown };
      if (command.k === 'cb') {
        const target = this.callbacks.get(command.id as number);
        // A callback unregistered after the parent queued the event (timer cleared while its expiry was queued):
        // the firmware must not see it, as on the chip where clearing a Moddable timer cancels it.
        reply = target ? { r: target.invoke(String(command.m), command.a ?? []) } : { dropped: true };
      } else {
        const handler = this.commands.get(command.k);
        if (!handler) throw new Error(`XsChannel: no handler for command '${command.k}'`);
        reply = { r: handler(command.p) };
      }
    } catch (error) {
      reply = { x: error instanceof Error ? error : new Error(String(error)) };
    }
    return toArrayBuffer(encodeValue(reply));
  }
}
