// The dev backend's state and services: realms' human users (from config), device service users and assets
// (created by /rest/device), user-asset links, bearer tokens, and the attribute write path every writer (MQTT,
// REST, the broker's connection monitor) goes through. Implements openremote.md §3.3 and the processing rules of
// §4.5 (coercion, future timestamps clamped, outdated events ignored, events only on value change) and §4.6.
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { nameBasedId } from './ids';
import { coerceValue, jsonEqual, type AssetModel, type AttributeMeta, type ValueType } from './model';

export interface HumanUserConfig {
  realm: string;
  username: string;
  password: string;
}

export interface Attribute {
  name: string;
  type: ValueType;
  meta: AttributeMeta & { userConnectedName?: string };
  value: unknown;
  /** Epoch ms of the current value; 0 = never written. */
  timestamp: number;
}

export interface Asset {
  id: string;
  realm: string;
  name: string;
  assetType: string;
  modelName: string;
  createdOn: number;
  attributes: Record<string, Attribute>;
}

export interface User {
  realm: string;
  /** Lower-cased, as OpenRemote stores usernames (§3.3). */
  username: string;
  kind: 'human' | 'service';
  /** Service users are restricted (realm role restricted_user, §3.3); the configured human users are not. */
  restricted: boolean;
  secret: string;
  linkedAssets: Set<string>;
}

export interface Token {
  realm: string;
  username: string;
  kind: 'human' | 'service';
  expiresAt: number;
}

/** What the rest of the backend learns about an attribute write. */
export interface AttributeEvent {
  realm: string;
  assetId: string;
  name: string;
  value: unknown;
  oldValue: unknown;
  timestamp: number;
  /** Only changed values are forwarded to MQTT subscribers (§4.5). */
  changed: boolean;
  source: string;
}

export type WriteResult =
  | { status: 'updated'; changed: boolean }
  | { status: 'outdated' }
  | { status: 'rejected'; reason: string }
  | { status: 'unknown' };

export interface ProvisionResult {
  status: 'ok';
  asset: Asset;
  assetCreated: boolean;
  serviceUserCreated: boolean;
  properties?: Record<string, string>;
}

export interface CoreOptions {
  users: HumanUserConfig[];
  models: Record<string, AssetModel>;
  tokenLifetimeSeconds?: number;
  /** When set, assets and service users are kept in DIR/state.json across restarts (file mode 0600: it holds
   * service secrets in clear, like Keycloak's own database does). */
  dataDir?: string;
  now?: () => number;
  log?: (line: string) => void;
}

type UserKey = string;
const key = (realm: string, username: string): UserKey => `${realm}\u0000${username.toLowerCase()}`;

/** Constant-time comparison of two secrets of possibly different length. */
function secretEquals(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

export class BackendCore {
  readonly events = new EventEmitter();
  readonly models: Record<string, AssetModel>;
  private readonly users = new Map<UserKey, User>();
  private readonly assets = new Map<string, Asset>();
  private readonly tokens = new Map<string, Token>();
  private readonly tokenLifetime: number;
  private readonly statePath: string | undefined;
  readonly now: () => number;
  readonly log: (line: string) => void;

  constructor(options: CoreOptions) {
    this.models = options.models;
    this.tokenLifetime = options.tokenLifetimeSeconds ?? 300;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    for (const u of options.users) {
      this.users.set(key(u.realm, u.username), {
        realm: u.realm,
        username: u.username.toLowerCase(),
        kind: 'human',
        restricted: false,
        secret: u.password,
        linkedAssets: new Set(),
      });
    }
    this.statePath = options.dataDir ? path.join(options.dataDir, 'state.json') : undefined;
    this.load();
  }

  // ---- users and tokens (Keycloak's part) -------------------------------------------------------------------

  getUser(realm: string, username: string): User | undefined {
    return this.users.get(key(realm, username));
  }

  /** grant_type=password: only the configured human users. */
  checkPassword(realm: string, username: string, password: string): User | undefined {
    const u = this.getUser(realm, username);
    return u && u.kind === 'human' && secretEquals(u.secret, password) ? u : undefined;
  }

  /** grant_type=client_credentials (and MQTT CONNECT, §4.2): only service users; client_id = username. */
  checkClientCredentials(realm: string, clientId: string, secret: string): User | undefined {
    const u = this.getUser(realm, clientId);
    return u && u.kind === 'service' && secretEquals(u.secret, secret) ? u : undefined;
  }

  issueToken(user: User): { token: string; expiresIn: number } {
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, { realm: user.realm, username: user.username, kind: user.kind, expiresAt: this.now() + this.tokenLifetime * 1000 });
    return { token, expiresIn: this.tokenLifetime };
  }

  /** The user behind a bearer token, or undefined when it is unknown, expired, or the user is gone. */
  resolveToken(token: string): User | undefined {
    const t = this.tokens.get(token);
    if (!t) return undefined;
    if (t.expiresAt <= this.now()) {
      this.tokens.delete(token);
      return undefined;
    }
    return this.getUser(t.realm, t.username);
  }

  // ---- provisioning (/rest/device, §3) ---------------------------------------------------------------------

  /**
   * Creates or updates the device asset and its restricted service user. The device is keyed by the lower-cased
   * deviceId, the same name its service user gets (OpenRemote lower-cases usernames, §3.3), so "ABC" and "abc"
   * are one device. Returns 'conflict' when the device exists with another modelName, 'unknown-model' when no
   * asset type matches modelName (§3.1: "it is an error if none matches").
   */
  provision(human: User, deviceId: string, password: string, modelName: string): ProvisionResult | { status: 'conflict' | 'unknown-model'; message: string } {
    const model = Object.prototype.hasOwnProperty.call(this.models, modelName) ? this.models[modelName] : undefined;
    if (!model) return { status: 'unknown-model', message: `no asset type for modelName ${JSON.stringify(modelName)}` };
    const realm = human.realm;
    const username = deviceId.toLowerCase();
    const assetId = nameBasedId(`${realm}${username}`);
    let asset = this.assets.get(assetId);
    if (asset && asset.modelName !== modelName) {
      return { status: 'conflict', message: `device ${JSON.stringify(deviceId)} is already provisioned as model ${JSON.stringify(asset.modelName)}` };
    }
    const assetCreated = !asset;
    if (!asset) {
      asset = {
        id: assetId,
        realm,
        name: deviceId,
        assetType: model.assetType,
        modelName,
        createdOn: this.now(),
        attributes: {},
      };
      for (const [name, d] of Object.entries(model.attributes)) {
        const meta: Attribute['meta'] = { ...d.meta };
        if (d.meta?.userConnected) meta.userConnectedName = username;
        asset.attributes[name] = { name, type: d.type, meta, value: null, timestamp: 0 };
      }
      this.assets.set(assetId, asset);
    }
    let user = this.getUser(realm, username);
    if (user && user.kind !== 'service') {
      return { status: 'conflict', message: `username ${JSON.stringify(username)} belongs to a human user` };
    }
    const serviceUserCreated = !user;
    let secretChanged = false;
    if (!user) {
      user = { realm, username, kind: 'service', restricted: true, secret: password, linkedAssets: new Set() };
      this.users.set(key(realm, username), user);
    } else if (!secretEquals(user.secret, password)) {
      user.secret = password;
      secretChanged = true;
    }
    user.linkedAssets.add(assetId);
    human.linkedAssets.add(assetId);
    this.save();
    this.log(`provision realm=${realm} device=${deviceId} asset=${assetId} assetCreated=${assetCreated} serviceUserCreated=${serviceUserCreated}`);
    // §4.7: a changed secret force-disconnects the user's MQTT sessions; the broker listens for this.
    if (secretChanged) this.events.emit('userChanged', { realm, username, reason: 'secret changed' });
    this.events.emit('provisioned', { realm, deviceId, assetId, modelName, assetCreated, serviceUserCreated });
    const result: ProvisionResult = { status: 'ok', asset, assetCreated, serviceUserCreated };
    if (model.properties) result.properties = { ...model.properties };
    return result;
  }

  getAsset(assetId: string): Asset | undefined {
    return this.assets.get(assetId);
  }

  listAssets(): Asset[] {
    return [...this.assets.values()];
  }

  // ---- attribute writes (§4.5 processing) ------------------------------------------------------------------

  /**
   * The single write path. `timestamp` undefined means "server time at receipt" (writeattributevalue, REST);
   * a future timestamp is clamped to now; one older than the current value's is outdated and changes nothing.
   */
  writeAttribute(assetId: string, name: string, value: unknown, timestamp: number | undefined, source: string): WriteResult {
    const asset = this.assets.get(assetId);
    const attr = asset && Object.prototype.hasOwnProperty.call(asset.attributes, name) ? asset.attributes[name] : undefined;
    if (!asset || !attr) return { status: 'unknown' };
    const coerced = coerceValue(attr.type, value);
    if (!coerced.ok) {
      this.log(`write ${assetId}/${name} from ${source} rejected: ${coerced.reason}`);
      return { status: 'rejected', reason: coerced.reason };
    }
    const now = this.now();
    const ts = timestamp === undefined ? now : Math.min(timestamp, now);
    if (ts < attr.timestamp) {
      this.log(`write ${assetId}/${name} from ${source} outdated (${ts} < ${attr.timestamp})`);
      return { status: 'outdated' };
    }
    const oldValue = attr.value;
    const changed = !jsonEqual(oldValue, coerced.value);
    attr.value = coerced.value;
    attr.timestamp = ts;
    this.save();
    const event: AttributeEvent = { realm: asset.realm, assetId, name, value: coerced.value, oldValue, timestamp: ts, changed, source };
    this.events.emit('attribute', event);
    return { status: 'updated', changed };
  }

  /** §4.6: sets every attribute whose meta userConnected names this user (matching ignores case and an optional
   * "service-account-" prefix). */
  setUserConnected(realm: string, username: string, connected: boolean): void {
    const wanted = username.toLowerCase().replace(/^service-account-/, '');
    for (const asset of this.assets.values()) {
      if (asset.realm !== realm) continue;
      for (const attr of Object.values(asset.attributes)) {
        const named = attr.meta.userConnectedName?.toLowerCase().replace(/^service-account-/, '');
        if (named === wanted && attr.type === 'boolean') this.writeAttribute(asset.id, attr.name, connected, undefined, 'connection-monitor');
      }
    }
  }

  // ---- persistence -----------------------------------------------------------------------------------------

  private save(): void {
    if (!this.statePath) return;
    const state = {
      assets: [...this.assets.values()],
      serviceUsers: [...this.users.values()]
        .filter((u) => u.kind === 'service')
        .map((u) => ({ realm: u.realm, username: u.username, secret: u.secret, linkedAssets: [...u.linkedAssets] })),
      humanLinks: [...this.users.values()].filter((u) => u.kind === 'human').map((u) => ({ realm: u.realm, username: u.username, linkedAssets: [...u.linkedAssets] })),
    };
    fs.mkdirSync(path.dirname(this.statePath), { recursive: true });
    const tmp = `${this.statePath}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state, null, 1), { mode: 0o600 });
    fs.renameSync(tmp, this.statePath);
  }

  private load(): void {
    if (!this.statePath || !fs.existsSync(this.statePath)) return;
    const state = JSON.parse(fs.readFileSync(this.statePath, 'utf8')) as {
      assets: Asset[];
      serviceUsers: { realm: string; username: string; secret: string; linkedAssets: string[] }[];
      humanLinks: { realm: string; username: string; linkedAssets: string[] }[];
    };
    for (const a of state.assets) {
      // Nobody is connected to a broker that just started (§4.6).
      for (const attr of Object.values(a.attributes)) if (attr.meta.userConnectedName && attr.type === 'boolean') attr.value = false;
      this.assets.set(a.id, a);
    }
    for (const s of state.serviceUsers) {
      this.users.set(key(s.realm, s.username), { realm: s.realm, username: s.username, kind: 'service', restricted: true, secret: s.secret, linkedAssets: new Set(s.linkedAssets) });
    }
    for (const h of state.humanLinks) {
      const u = this.getUser(h.realm, h.username);
      if (u && u.kind === 'human') for (const id of h.linkedAssets) u.linkedAssets.add(id);
    }
  }
}
