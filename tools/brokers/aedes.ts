// In-process MQTT broker for tests: aedes on a loopback port, plain TCP or TLS, with username/password checking
// and an observer that records every PUBLISH the broker accepted (including wills). restart() kills every
// connection abruptly (no FIN handshake with the broker's state) and brings a fresh broker up on the same port,
// like a broker process restart. Not modelled: OpenRemote's Artemis rules (client-id link stealing denial,
// topic authorisation, Keycloak login delay) beyond what `authenticate`/`authorizePublish` hooks express.
import { Aedes, type AedesOptions } from 'aedes';
import * as net from 'node:net';
import * as tls from 'node:tls';

export interface AedesBrokerOptions {
  /** Loopback port; 0 (default) picks a free one, kept across restart(). */
  port?: number;
  /** Serve TLS with this key and certificate chain (PEM). */
  tls?: { key: string; cert: string };
  /** username → password; when set, any other credentials get CONNACK 5 (not authorized), as Artemis sends. */
  users?: Record<string, string>;
  /** Extra aedes hooks (authorizePublish, authorizeSubscribe, ...). */
  aedes?: Partial<AedesOptions>;
}

export interface ObservedPublish {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  clientId: string | undefined;
}

export interface AedesBroker {
  readonly port: number;
  readonly broker: Aedes;
  /** Every client PUBLISH (and will) the broker accepted, across restarts. */
  readonly published: ObservedPublish[];
  /** Client ids currently connected. */
  connectedClientIds(): string[];
  /** Drops every connection without MQTT DISCONNECT and restarts on the same port. */
  restart(): Promise<void>;
  /** Destroys every client socket (the broker stays up): what a NAT timeout or a broker-side reset looks like. */
  dropClients(): void;
  close(): Promise<void>;
}

export async function startAedesBroker(options: AedesBrokerOptions = {}): Promise<AedesBroker> {
  const published: ObservedPublish[] = [];
  const sockets = new Set<net.Socket>();
  let broker: Aedes;
  let server: net.Server;
  let port = options.port ?? 0;

  const makeBroker = async (): Promise<Aedes> => {
    const b = await Aedes.createBroker({
      ...options.aedes,
      authenticate(client, username, password, done) {
        if (!options.users) return done(null, true);
        const ok = username !== undefined && password !== undefined && options.users[username] === password.toString('utf8');
        if (ok) return done(null, true);
        const error = Object.assign(new Error('not authorized'), { returnCode: 5 });
        return done(error as never, null);
      },
    });
    b.on('publish', (packet, client) => {
      if (!client || packet.topic.startsWith('$SYS')) return; // only what clients (or their wills) published
      published.push({ topic: packet.topic, payload: Buffer.from(packet.payload as Buffer), qos: packet.qos, retain: packet.retain, clientId: client.id });
    });
    return b;
  };

  const listen = async (): Promise<void> => {
    broker = await makeBroker();
    const onConnection = (socket: net.Socket): void => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      broker.handle(socket);
    };
    server = options.tls ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, onConnection) : net.createServer(onConnection);
    if (options.tls) server.on('tlsClientError', () => undefined); // failed handshakes are the point of some tests
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: '127.0.0.1' }, () => resolve());
    });
    port = (server.address() as net.AddressInfo).port;
  };

  const shutdown = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get broker() {
      return broker;
    },
    published,
    connectedClientIds() {
      return Object.keys((broker as unknown as { clients: Record<string, unknown> }).clients);
    },
    async restart() {
      await shutdown();
      await listen();
    },
    dropClients() {
      for (const s of sockets) s.destroy();
    },
    close: shutdown,
  };
}
