// NvsHost inside the xsnap worker: a namespace is a handle id on the Node side; each get/set/erase/commit is one
// synchronous request, so NVS semantics (types, limits, power-cut errors) are exactly the Node host's.
import type { NvsHost, NvsNamespace } from '../nvs';
import type { XsChannel } from './channel';

class XsNvsNamespace implements NvsNamespace {
  constructor(private readonly channel: XsChannel, private readonly handle: number) {}
  private call(method: string, ...args: unknown[]): unknown {
    return this.channel.request('nvs.call', [this.handle, method, args]);
  }
  getU8 = (key: string) => this.call('getU8', key) as number | undefined;
  setU8 = (key: string, value: number) => void this.call('setU8', key, value);
  getU32 = (key: string) => this.call('getU32', key) as number | undefined;
  setU32 = (key: string, value: number) => void this.call('setU32', key, value);
  getI32 = (key: string) => this.call('getI32', key) as number | undefined;
  setI32 = (key: string, value: number) => void this.call('setI32', key, value);
  getString = (key: string) => this.call('getString', key) as string | undefined;
  setString = (key: string, value: string) => void this.call('setString', key, value);
  getBlob = (key: string) => this.call('getBlob', key) as Uint8Array | undefined;
  setBlob = (key: string, value: Uint8Array) => void this.call('setBlob', key, value);
  erase = (key: string) => void this.call('erase', key);
  eraseAll = () => void this.call('eraseAll');
  commit = () => void this.call('commit');
  close = () => void this.call('close');
}

export function createXsNvsHost(channel: XsChannel): NvsHost {
  return {
    open: (namespace, mode) => new XsNvsNamespace(channel, channel.request('nvs.open', [namespace, mode]) as number),
  };
}
