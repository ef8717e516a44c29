// Test fixtures for the MQTT-on-XS suites: a test PKI, the XS session running host-tests/mqtt-xs/entry.ts over a
// Node host with real timers, and an aedes broker (tools/brokers/aedes.ts) that can go away for a while and come back
// on the same port, observed through aedes' authorizePublish hook: that hook runs when the broker has the whole
// PUBLISH and BEFORE aedes writes the PUBACK (aedes lib/handlers/publish.js), so "recorded" is exactly "the broker
// received it", and anything the client saw acknowledged has been recorded.
import type { AedesOptions } from 'aedes';
import { startAedesBroker, type AedesBroker } from '../../tools/brokers/aedes';
import { createNodeHost, type NodeHost } from '../../tools/sim/host/index';
import { XsSession } from '../xs/harness';
import type { ClientInput } from './entry';

export const ENTRY = 'host-tests/mqtt-xs/entry.ts';
export const PASSWORD = 'xs-mqtt-secret-42';
export const USER = 'master:dev1';
export const TOPIC = 'master/dev1/writeattributevalue/counter/4cdWlxEvmDRBBDEuVyJAtM';

export interface Arrival {
  /** Counter value (the payload). */
  n: number;
  /** Which TCP/TLS connection (numbered in order of its first PUBLISH, across broker restarts) carried it. */
  conn: number;
  dup: boolean;
}

/** aedes on a fixed port that can be stopped (every client socket destroyed, listener closed) and started again. */
export class RestartableBroker {
  readonly arrivals: Arrival[] = [];
  restarts = 0;
  /** Called after a counter PUBLISH was recorded; returning 'hold' keeps aedes from ever acknowledging it (the test
   * then kills the broker: a PUBLISH received whose PUBACK never left). */
  onNextArrival: (() => 'hold' | void) | undefined;
  private current: AedesBroker | undefined;
  private readonly connIds = new WeakMap<object, number>();
  private nextConn = 1;
  private port = 0;

  constructor(private readonly options: { tls?: { key: string; cert: string }; aedes?: Partial<AedesOptions> }) {}

  get broker(): AedesBroker {
    if (!this.current) throw new Error('broker is stopped');
    return this.current;
  }

  get portNumber(): number {
    return this.port;
  }

  async start(): Promise<void> {
    const authorizePublish: AedesOptions['authorizePublish'] = (client, packet, done) => {
      if (client && packet.topic === TOPIC) {
        let conn = this.connIds.get(client);
        if (conn === undefined) this.connIds.set(client, (conn = this.nextConn++));
        this.arrivals.push({ n: Number(Buffer.from(packet.payload as Buffer).toString('utf8')), conn, dup: packet.dup });
        if (this.onNextArrival?.() === 'hold') return;
      }
      done(null);
    };
    this.current = await startAedesBroker({
      port: this.port,
      tls: this.options.tls,
      users: { [USER]: PASSWORD },
      aedes: { ...this.options.aedes, authorizePublish },
    });
    this.port = this.current.port;
  }

  /** Abrupt: sockets destroyed without DISCONNECT, the listener closed (connects are refused until start()). */
  async stop(): Promise<void> {
    const b = this.current;
    this.current = undefined;
    await b?.close();
  }

  async restart(pauseMs: number): Promise<void> {
    await this.stop();
    await new Promise((r) => setTimeout(r, pauseMs));
    await this.start();
    this.restarts++;
  }
}

export interface XsMqttRig {
  host: NodeHost;
  session: XsSession;
  close(): Promise<void>;
}

/** An XS session on the MQTT entry with a real-clock Node host (sockets over node:net/tls). */
export async function startRig(input: ClientInput & Record<string, unknown>, extraOps?: Record<string, (...a: unknown[]) => unknown>): Promise<XsMqttRig> {
  const host = createNodeHost({ clock: 'real', log: 'capture', uart: 'memory' });
  const session = await XsSession.start(ENTRY, { host, input, extraOps });
  return {
    host,
    session,
    async close() {
      await session.close();
      host.sim.shutdown();
    },
  };
}

export function clientInput(port: number, tlsCa: string | undefined): ClientInput {
  // The URL names the loopback address aedes listens on; TLS still verifies the name 'localhost' (a SAN of the
  // test certificate), as the device verifies its broker's host name.
  const input: ClientInput = { url: `${tlsCa ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`, clientId: 'dev1', username: USER, password: PASSWORD, topic: TOPIC };
  if (tlsCa) {
    input.ca = [tlsCa];
    input.serverName = 'localhost';
  }
  return input;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
