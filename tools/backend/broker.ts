// The dev backend's MQTT broker: aedes on node:tls, with OpenRemote's (Artemis + DefaultMQTTHandler) rules on top:
// `realm:user` login checked like a client_credentials grant (§4.2), link stealing denied (§4.3), topic grammar and
// restricted-user authorisation (§4.5, §4.8), disconnect on an unauthorised publish (3.1.1, §4.5), SUBACK 0x80 on
// an unauthorised subscribe, attribute events delivered at QoS 0 on wildcard-expanded topics, changes only, no
// retained messages (§4.4), wills authorised like publishes (§4.6), userConnected (§4.6), forced disconnect (§4.7).
//
// Not modelled: MQTT 5 (aedes speaks 3.1/3.1.1 only), durable sessions (OpenRemote removes its consumers on
// disconnect anyway, §4.4), the 5-minute publish-decision cache, asset-event topics, X.509 auto-provisioning
// (anonymous sessions may use the provisioning topics but nothing answers), the HAProxy idle timeout.
import { Aedes, type Client, type PublishPacket, type Subscription } from 'aedes';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Asset, AttributeEvent, BackendCore, User } from './core';
import { parseProvisioningTopic, parsePublishTopic, parseSubscriptionFilter, type SubscriptionFilter } from './topics';

export interface BrokerOptions {
  core: BackendCore;
  tls: { key: string; cert: string };
  port: number;
  host?: string;
  /** Delay inside CONNECT before the credentials are answered: the Keycloak round trip (§4.2). Default 0. */
  loginDelayMs?: number;
}

interface Session {
  anonymous: boolean;
  realm: string;
  username: string;
  /** filter string → parsed filter. */
  subscriptions: Map<string, SubscriptionFilter>;
}

export interface Broker {
  readonly port: number;
  /** Client ids with a live, authenticated connection. */
  connectedClientIds(): string[];
  close(): Promise<void>;
}

class RefusedError extends Error {
  constructor(
    message: string,
    readonly returnCode: number,
  ) {
    super(message);
  }
}

export async function startBroker(options: BrokerOptions): Promise<Broker> {
  const { core } = options;
  const log = (line: string) => core.log(`mqtt: ${line}`);
  const sessions = new WeakMap<Client, Session>();
  /** clientId → the live connection holding it (§4.3: a second one is refused while this one is alive). */
  const live = new Map<string, Client>();
  const sockets = new Set<net.Socket>();

  const userOf = (s: Session): User | undefined => (s.anonymous ? undefined : core.getUser(s.realm, s.username));

  /** Every reason a session may not publish `topic`, or undefined when it may (§4.5 authorisation). */
  const publishDenial = (client: Client, s: Session, topic: string): string | undefined => {
    if (s.anonymous) return parseProvisioningTopic(topic, 'request') !== undefined ? undefined : 'anonymous sessions may only use provisioning topics';
    const t = parsePublishTopic(topic);
    if (typeof t === 'string') return t;
    if (t.clientId !== client.id) return `topic client id ${JSON.stringify(t.clientId)} is not the connection's`;
    if (t.realm !== s.realm) return `topic realm ${JSON.stringify(t.realm)} is not the user's realm`;
    const user = userOf(s);
    if (!user) return 'the user no longer exists';
    const asset = core.getAsset(t.assetId);
    if (!asset || asset.realm !== s.realm) return 'no such asset in this realm';
    const attr = Object.prototype.hasOwnProperty.call(asset.attributes, t.attributeName) ? asset.attributes[t.attributeName] : undefined;
    if (!attr) return `asset has no attribute ${JSON.stringify(t.attributeName)}`;
    if (user.restricted && !user.linkedAssets.has(asset.id)) return 'asset is not linked to this restricted user';
    if (user.restricted && !attr.meta.accessRestrictedWrite) return `attribute ${t.attributeName} lacks accessRestrictedWrite`;
    return undefined;
  };

  const subscribeDenial = (client: Client, s: Session, topic: string): SubscriptionFilter | string | undefined => {
    if (s.anonymous) return parseProvisioningTopic(topic, 'response') !== undefined ? undefined : 'anonymous sessions may only use provisioning topics';
    const f = parseSubscriptionFilter(topic);
    if (typeof f === 'string') return f;
    if (f.clientId !== client.id) return `topic client id ${JSON.stringify(f.clientId)} is not the connection's`;
    if (f.realm !== s.realm) return `topic realm ${JSON.stringify(f.realm)} is not the user's realm`;
    const user = userOf(s);
    if (!user) return 'the user no longer exists';
    if (f.assetId !== undefined && user.restricted && !user.linkedAssets.has(f.assetId)) return 'asset is not linked to this restricted user';
    return f;
  };

  /** May this session see this event? Restricted users: linked assets and accessRestrictedRead only (§4.5). */
  const mayRead = (s: Session, asset: Asset, name: string): boolean => {
    const user = userOf(s);
    if (!user || asset.realm !== s.realm) return false;
    if (!user.restricted) return true;
    return user.linkedAssets.has(asset.id) && asset.attributes[name]?.meta.accessRestrictedRead === true;
  };

  const aedes = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      // §4.2: a null password is an anonymous session; an empty one is a (failing) login.
      if (password === undefined || password === null) {
        sessions.set(client, { anonymous: true, realm: '', username: '', subscriptions: new Map() });
        log(`client ${client.id} connected anonymously`);
        return claim(client, done);
      }
      const colon = username === undefined ? -1 : username.indexOf(':');
      if (username === undefined || colon < 0) {
        log(`client ${client.id} refused: invalid user format (want realm:user)`);
        return done(new RefusedError('Invalid user format', 5) as never, false);
      }
      const realm = username.slice(0, colon);
      const user = username.slice(colon + 1);
      const secret = Buffer.from(password).toString('utf8');
      setTimeout(() => {
        const ok = core.checkClientCredentials(realm, user, secret);
        if (!ok) {
          log(`client ${client.id} refused: bad credentials for ${realm}:${user}`);
          return done(new RefusedError('not authorized', 5) as never, false);
        }
        sessions.set(client, { anonymous: false, realm, username: ok.username, subscriptions: new Map() });
        claim(client, done);
      }, options.loginDelayMs ?? 0);
    },

    authorizePublish(client, packet, done) {
      const s = client ? sessions.get(client) : undefined;
      const denial = !client || !s ? 'no session' : publishDenial(client, s, packet.topic);
      if (denial) {
        // Artemis closeMqttConnectionOnPublishAuthorizationFailure=true (§4.5): for a normal publish aedes closes the
        // connection when we return an error; for a will it just drops the will (§4.6).
        log(`${client?.closed ? 'will' : 'publish'} from ${client?.id} to ${packet.topic} denied: ${denial}${client?.closed ? ' (will dropped)' : ' (disconnecting)'}`);
        return done(new Error(denial));
      }
      packet.retain = false; // §4.4: retained messages are not supported
      done(null);
    },

    authorizeSubscribe(client, sub, done) {
      const s = client ? sessions.get(client) : undefined;
      const result = !client || !s ? 'no session' : subscribeDenial(client, s, sub.topic);
      if (typeof result === 'string') {
        log(`subscribe from ${client?.id} to ${sub.topic} refused (SUBACK 0x80): ${result}`);
        return done(null, null as unknown as Subscription);
      }
      if (result) s!.subscriptions.set(sub.topic, result);
      done(null, sub);
    },

    // Only our own event deliveries reach clients: nothing a client may publish matches a filter it may hold, and
    // this keeps it that way if the grammar ever grows.
    authorizeForward(client, packet) {
      const t = packet.topic.split('/');
      return t[1] === client.id && (t[2] === 'attribute' || t[2] === 'attributevalue') ? packet : null;
    },

    published(packet, client, done) {
      const s = client ? sessions.get(client) : undefined;
      if (client && s && !s.anonymous) applyWrite(client, s, packet);
      else if (client && s?.anonymous) log(`provisioning request on ${packet.topic} ignored: X.509 auto-provisioning is not modelled`);
      done(null);
    },
  });

  /** §4.3: allowLinkStealing=false. Artemis closes the NEW connection without a CONNACK (3.1.1) and keeps the old. */
  function claim(client: Client, done: (err: null, ok: boolean) => void): void {
    const holder = live.get(client.id);
    if (holder && holder !== client && !holder.closed) {
      log(`client ${client.id}: a connection with this client id is still alive; closing the new one (link stealing denied)`);
      client.close();
      return done(null, false); // aedes sees client.closed and sends nothing
    }
    live.set(client.id, client);
    client.conn.once('close', () => released(client));
    done(null, true);
  }

  function released(client: Client): void {
    if (live.get(client.id) === client) live.delete(client.id);
    const s = sessions.get(client);
    if (!s || s.anonymous) return;
    s.subscriptions.clear();
    // §4.6: userConnected is cleared only once the user's last connection is gone.
    const others = [...live.values()].some((c) => {
      const o = sessions.get(c);
      return o && !o.anonymous && o.realm === s.realm && o.username === s.username && c.connected;
    });
    if (!others) core.setUserConnected(s.realm, s.username, false);
    core.events.emit('mqttDisconnect', { clientId: client.id, realm: s.realm, username: s.username });
    log(`client ${client.id} (${s.realm}:${s.username}) disconnected`);
  }

  aedes.on('clientReady', (client) => {
    const s = sessions.get(client);
    if (!s || s.anonymous) return;
    log(`client ${client.id} (${s.realm}:${s.username}) connected`);
    core.setUserConnected(s.realm, s.username, true);
    core.events.emit('mqttConnect', { clientId: client.id, realm: s.realm, username: s.username });
  });

  aedes.on('unsubscribe', (topics, client) => {
    const s = client ? sessions.get(client) : undefined;
    for (const t of topics) s?.subscriptions.delete(t);
  });

  /** Applies an authorised write publish (§4.5 payload rules); failures are dropped and logged, not disconnects. */
  function applyWrite(client: Client, s: Session, packet: PublishPacket): void {
    const t = parsePublishTopic(packet.topic);
    if (typeof t === 'string') return;
    const text = Buffer.from(packet.payload as Buffer).toString('utf8');
    let parsed: unknown;
    let ok = true;
    try {
      parsed = JSON.parse(text);
    } catch {
      ok = false;
    }
    const source = `mqtt:${client.id}`;
    if (t.op === 'writeattributevalue') {
      // Invalid JSON becomes null (Jackson ValueUtil.parse), which clears the attribute.
      if (!ok) log(`publish from ${client.id} to ${packet.topic}: payload is not JSON; writing null`);
      core.writeAttribute(t.assetId, t.attributeName, ok ? parsed : null, undefined, source);
      return;
    }
    const o = parsed as { value?: unknown; timestamp?: unknown } | null;
    if (!ok || typeof o !== 'object' || o === null || Array.isArray(o) || !('value' in o) || typeof o.timestamp !== 'number' || !(o.timestamp > 0)) {
      log(`publish from ${client.id} to ${packet.topic} dropped: writeattribute needs {"value","timestamp"} with timestamp > 0`);
      return;
    }
    core.writeAttribute(t.assetId, t.attributeName, o.value, o.timestamp, source);
  }

  /** Event fan-out: each matching subscription gets one QoS 0 message on its expanded topic (§4.4, §4.5). */
  const onAttribute = (e: AttributeEvent): void => {
    if (!e.changed) return;
    const asset = core.getAsset(e.assetId);
    if (!asset) return;
    for (const client of live.values()) {
      const s = sessions.get(client);
      if (!s || s.anonymous || !client.connected || client.closed) continue;
      for (const f of s.subscriptions.values()) {
        if (f.children !== undefined) continue; // dev assets have no children
        if (f.attributeName !== undefined && f.attributeName !== e.name) continue;
        if (f.assetId !== undefined && f.assetId !== e.assetId) continue;
        if (!mayRead(s, asset, e.name)) continue;
        const payload =
          f.kind === 'attributevalue'
            ? JSON.stringify(e.value)
            : JSON.stringify({ eventType: 'attribute', ref: { id: e.assetId, name: e.name }, value: e.value, timestamp: e.timestamp, realm: e.realm, deleted: false });
        const topic = `${f.realm}/${f.clientId}/${f.kind}/${e.name}/${e.assetId}`;
        client.publish({ cmd: 'publish', topic, payload: Buffer.from(payload, 'utf8'), qos: 0, retain: false, dup: false }, () => undefined);
      }
    }
  };
  core.events.on('attribute', onAttribute);

  /** §4.7: the user's secret changed (or it was removed): close its connections. */
  const onUserChanged = (e: { realm: string; username: string; reason: string }): void => {
    for (const client of [...live.values()]) {
      const s = sessions.get(client);
      if (s && !s.anonymous && s.realm === e.realm && s.username === e.username) {
        log(`forcing disconnect of ${client.id}: ${e.reason}`);
        client.close();
      }
    }
  };
  core.events.on('userChanged', onUserChanged);

  const server = tls.createServer({ key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2' }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  server.on('tlsClientError', (err) => log(`TLS handshake failed: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host ?? '127.0.0.1' }, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    connectedClientIds: () => [...live.entries()].filter(([, c]) => c.connected && !c.closed).map(([id]) => id),
    async close() {
      core.events.off('attribute', onAttribute);
      core.events.off('userChanged', onUserChanged);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
