// XS entry (runs inside xsnap, XS 13.3): the provisioning manager and its handlers unchanged on the real engine.
// Wi-Fi is the simulator's station (plain TS, no Node APIs) on a step timer local to the worker; NVS is the
// Node SimNvs reached through the XS host bridge, so the record written on XS is checked on Node afterwards.
import type { TimerHost, TimerId } from '../../firmware/host/timers';
import { CredentialStore } from '../../firmware/provisioning/credentials';
import { ProvisioningManager, type ProvState } from '../../firmware/provisioning/manager';
import type { EndpointHandler, EndpointRegistry } from '../../firmware/protocomm/types';
import { fromHex, toHex } from '../../firmware/util/bytes';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { SimWifiStation } from '../../tools/sim/wifi/station';
import type { WifiWorld } from '../../tools/sim/wifi/world';
import { assert, assertEqual, emit, input, test, xsHost } from '../xs/runtime';

interface Input {
  world: WifiWorld;
  steps: { endpoint: string; note: string; request: string; response: string }[];
}

/** Deterministic timers inside the worker: time moves only in run(). */
class StepTimers implements TimerHost {
  now = 0;
  private next = 1;
  private queue: { id: number; due: number; fn: () => void }[] = [];
  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.next++;
    this.queue.push({ id, due: this.now + ms, fn });
    return id;
  }
  setInterval(): TimerId {
    throw new Error('not used');
  }
  clear(id: TimerId): void {
    this.queue = this.queue.filter((t) => t.id !== id);
  }
  runUntil(predicate: () => boolean, maxMs: number): void {
    const end = this.now + maxMs;
    while (!predicate()) {
      let best = -1;
      for (let i = 0; i < this.queue.length; i++) if (best < 0 || this.queue[i].due < this.queue[best].due) best = i;
      if (best < 0 || this.queue[best].due > end) throw new Error('runUntil: condition never held');
      const t = this.queue.splice(best, 1)[0];
      this.now = t.due;
      t.fn();
    }
  }
}

function rig() {
  const { world } = input<Input>();
  const timers = new StepTimers();
  const lines: string[] = [];
  const log = new Logger({ write: (_l, tag, m) => lines.push(`${tag}: ${m}`) }, 'prov', new SecretRegistry(), 'debug');
  const handlers = new Map<string, EndpointHandler>();
  const registry: EndpointRegistry = { addEndpoint: (n, h) => void handlers.set(n, h), removeEndpoint: (n) => void handlers.delete(n) };
  const wifi = new SimWifiStation({ world, timers });
  const store = new CredentialStore({ nvs: xsHost().nvs, log });
  const manager = new ProvisioningManager({ wifi, timers, log, credentials: store, registry });
  manager.start();
  const send = (endpoint: string, hex: string) => {
    const a: { done: boolean; hex: string | undefined } = { done: false, hex: undefined };
    handlers.get(endpoint)!(1, fromHex(hex)!, (r) => {
      a.done = true;
      a.hex = r && toHex(r);
    });
    return a;
  };
  const until = (state: ProvState) => timers.runUntil(() => manager.provState === state, 120_000);
  return { timers, lines, send, manager, store, until };
}

test('vector Wi-Fi steps byte for byte on XS', () => {
  const r = rig();
  for (const step of input<Input>().steps) {
    if (step.note.includes('Connected')) r.until('SUCCESS');
    const a = r.send(step.endpoint, step.request);
    if (!a.done) r.timers.runUntil(() => a.done, 10_000);
    assertEqual(a.hex, step.response, step.note);
  }
  r.timers.runUntil(() => r.manager.provState === 'STOPPED', 5_000);
  emit(r.timers.now);
});

test('wrong passphrase, retry in the same session, record committed through the NVS bridge', () => {
  const r = rig();
  r.store.clear();
  // SetConfig HomeNet / wrongpass, Apply
  r.send('prov-config', '080262140a07486f6d654e6574120977726f6e6770617373');
  assertEqual(r.send('prov-config', '0804').hex, '08057a00', 'apply');
  r.until('FAIL');
  assertEqual(r.send('prov-config', '5200').hex, '08015a0410035000', 'auth error');
  assert(!r.store.isProvisioned(), 'nothing stored after a failure');
  r.send('prov-config', '080262150a07486f6d654e6574120a73656372657470617373');
  assertEqual(r.send('prov-config', '0804').hex, '08057a00', 'apply again');
  r.until('SUCCESS');
  assert(r.store.isProvisioned(), 'stored after got-IP');
  for (const line of r.lines) assert(line.indexOf('secretpass') < 0 && line.indexOf('wrongpass') < 0, 'no passphrase in logs');
});
