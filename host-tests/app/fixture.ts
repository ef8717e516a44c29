// Test rig for the application model: a simulator host with the virtual clock and captured logs, and a fake
// OpenRemoteMqtt publisher that records every write and can be told to refuse (offline, backpressure).
import type { AttributeValue, WriteResult } from '../../firmware/openremote/mqtt-api';
import type { AttributePublisher } from '../../firmware/app/attributes';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { createNodeHost, type NodeHost } from '../../tools/sim/host/index';

export interface Sent {
  attribute: string;
  value: AttributeValue;
  qos: 0 | 1 | undefined;
  atMs: number;
  /** Asked for OpenRemote's receipt time (echoes and put-backs); absent otherwise. */
  serverTime?: boolean;
}

export class FakePublisher implements AttributePublisher {
  readonly sent: Sent[] = [];
  /** When set, write() answers this instead of ok. */
  refuse: WriteResult | undefined;

  constructor(private readonly now: () => number) {}

  write(attribute: string, value: AttributeValue, options: { qos?: 0 | 1; serverTime?: boolean }): WriteResult {
    if (this.refuse) return this.refuse;
    const sent: Sent = { attribute, value, qos: options.qos, atMs: this.now() };
    if (options.serverTime) sent.serverTime = true;
    this.sent.push(sent);
    return { ok: true };
  }

  /** Values sent for one attribute, in order. */
  values(attribute: string): AttributeValue[] {
    return this.sent.filter((s) => s.attribute === attribute).map((s) => s.value);
  }

  clear(): void {
    this.sent.length = 0;
  }
}

export interface Rig {
  host: NodeHost;
  logger: Logger;
  publisher: FakePublisher;
  advance(ms: number): void;
  now(): number;
  lines(): string[];
}

export function makeRig(): Rig {
  const host = createNodeHost({ clock: 'virtual', log: 'capture', uart: 'memory' });
  const clock = host.sim.virtualClock!;
  const logger = new Logger(host.log, 'app', new SecretRegistry(), 'debug');
  return {
    host,
    logger,
    publisher: new FakePublisher(() => clock.monotonicMs()),
    advance: (ms) => clock.advance(ms),
    now: () => clock.monotonicMs(),
    lines: () => host.sim.capture!.lines,
  };
}
