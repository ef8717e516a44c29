// A minimal MQTT 3.1.1 client for the backend tests: node:tls + mqtt-packet framing, recording every packet it
// receives so tests can assert on exact broker behaviour (CONNACK codes, a close without CONNACK, SUBACK 0x80,
// delivered topics and QoS). Deliberately independent of the firmware's MQTT client.
import * as mqtt from 'mqtt-packet';
import * as tls from 'node:tls';

export interface ConnectOptions {
  port: number;
  ca: string;
  clientId: string;
  username?: string;
  password?: string;
  keepalive?: number;
  will?: { topic: string; payload: string; qos?: 0 | 1; retain?: boolean };
  servername?: string;
}

export class TestMqttClient {
  readonly received: mqtt.Packet[] = [];
  connack: mqtt.IConnackPacket | undefined;
  closed = false;
  readonly whenClosed: Promise<void>;
  private readonly waiters = new Set<() => void>();
  private nextId = 1;

  private constructor(readonly socket: tls.TLSSocket) {
    const parser = mqtt.parser({ protocolVersion: 4 });
    parser.on('packet', (p: mqtt.Packet) => {
      this.received.push(p);
      if (p.cmd === 'connack') this.connack = p;
      this.poke();
    });
    socket.on('data', (d: Buffer) => parser.parse(d));
    socket.on('error', () => undefined);
    this.whenClosed = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.poke();
        resolve();
      }),
    );
  }

  /** Opens TLS (verifying the server against `ca`), sends CONNECT, and resolves once a CONNACK arrived or the
   * connection closed without one. */
  static async connect(o: ConnectOptions): Promise<TestMqttClient> {
    const socket = tls.connect({ host: '127.0.0.1', port: o.port, ca: o.ca, servername: o.servername ?? 'localhost' });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    const c = new TestMqttClient(socket);
    const packet: mqtt.IConnectPacket = {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: o.clientId,
      keepalive: o.keepalive ?? 60,
    };
    if (o.username !== undefined) packet.username = o.username;
    if (o.password !== undefined) packet.password = Buffer.from(o.password, 'utf8');
    if (o.will) packet.will = { topic: o.will.topic, payload: Buffer.from(o.will.payload, 'utf8'), qos: o.will.qos ?? 0, retain: o.will.retain ?? false };
    c.send(packet);
    await c.until(() => c.connack !== undefined || c.closed, 5000, 'CONNACK or close');
    return c;
  }

  send(packet: mqtt.Packet): void {
    if (!this.socket.destroyed) this.socket.write(mqtt.generate(packet));
  }

  async subscribe(...topics: { topic: string; qos?: 0 | 1 | 2 }[]): Promise<number[]> {
    const messageId = this.nextId++;
    this.send({ cmd: 'subscribe', messageId, subscriptions: topics.map((t) => ({ topic: t.topic, qos: t.qos ?? 0 })) });
    const ack = (await this.waitFor((p) => p.cmd === 'suback' && p.messageId === messageId, 'SUBACK')) as mqtt.ISubackPacket;
    return ack.granted as number[];
  }

  publish(topic: string, payload: string, qos: 0 | 1 = 0, retain = false): void {
    const packet: mqtt.IPublishPacket = { cmd: 'publish', topic, payload: Buffer.from(payload, 'utf8'), qos, retain, dup: false };
    if (qos > 0) packet.messageId = this.nextId++;
    this.send(packet);
  }

  /** Publishes received so far (server → client). */
  publishes(): mqtt.IPublishPacket[] {
    return this.received.filter((p): p is mqtt.IPublishPacket => p.cmd === 'publish');
  }

  async waitFor(predicate: (p: mqtt.Packet) => boolean, what: string, timeoutMs = 5000): Promise<mqtt.Packet> {
    let found: mqtt.Packet | undefined;
    await this.until(() => (found = this.received.find(predicate)) !== undefined, timeoutMs, what);
    return found!;
  }

  async waitForClose(timeoutMs = 5000): Promise<void> {
    await this.until(() => this.closed, timeoutMs, 'connection close');
  }

  /** A clean MQTT DISCONNECT (no will). */
  async disconnect(): Promise<void> {
    this.send({ cmd: 'disconnect' });
    this.socket.end();
    await this.waitForClose();
  }

  /** An abrupt drop: TCP goes away without DISCONNECT (the will fires). */
  async destroy(): Promise<void> {
    this.socket.destroy();
    await this.whenClosed;
  }

  private poke(): void {
    for (const w of [...this.waiters]) w();
  }

  private until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition()) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }
}

/** Lets in-flight packets be processed: a round trip through the broker (PINGREQ → PINGRESP). */
export async function roundTrip(c: TestMqttClient): Promise<void> {
  const before = c.received.filter((p) => p.cmd === 'pingresp').length;
  c.send({ cmd: 'pingreq' });
  await c.waitFor(() => c.received.filter((p) => p.cmd === 'pingresp').length > before, 'PINGRESP');
}
