// The dev backend's HTTP API: a Keycloak-like token endpoint (password and client_credentials grants), the
// Provision Device API POST /api/{realm}/rest/device (openremote.md §3), GET /api/{realm}/asset/{id} (§4.5 [I]:
// how a device reads current values) and PUT /api/{realm}/asset/{id}/attribute/{name} (a user writing a value
// that then goes DOWN to the device over MQTT). JSON answers carry Content-Type exactly `application/json`
// because iOS parses nothing else (§2.9).
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import type { Asset, BackendCore, User } from './core';

export interface HttpOptions {
  core: BackendCore;
  port: number;
  host?: string;
  /** Serve HTTPS with this key/cert instead of plain HTTP. */
  tls?: { key: string; cert: string };
}

export interface HttpApi {
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const ROUTE_TOKEN = /^\/auth\/realms\/([^/]+)\/protocol\/openid-connect\/token$/;
const ROUTE_DEVICE = /^\/api\/([^/]+)\/rest\/device$/;
const ROUTE_ASSET = /^\/api\/([^/]+)\/asset\/([^/]+)$/;
const ROUTE_ATTRIBUTE = /^\/api\/([^/]+)\/asset\/([^/]+)\/attribute\/([^/]+)$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.error ?? status));
  }
}

function send(res: http.ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' }).end(text);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, { error: 'request body too large' });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const mediaType = (req: http.IncomingMessage): string => (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, { error: 'bad path encoding' });
  }
}

/** The user behind `Authorization: Bearer …`, or a 401 (§3.1: missing or invalid token). */
function bearer(core: BackendCore, req: http.IncomingMessage): User {
  const h = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  const user = m ? core.resolveToken(m[1]!) : undefined;
  if (!user) throw new HttpError(401, { error: 'missing, invalid or expired bearer token' });
  return user;
}

/** An asset as OpenRemote's asset resource shows it; restricted users only see accessRestrictedRead attributes. */
function assetView(asset: Asset, user: User): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const a of Object.values(asset.attributes)) {
    if (user.restricted && !a.meta.accessRestrictedRead) continue;
    const meta: Record<string, unknown> = {};
    if (a.meta.accessRestrictedRead) meta.accessRestrictedRead = true;
    if (a.meta.accessRestrictedWrite) meta.accessRestrictedWrite = true;
    if (a.meta.userConnectedName) meta.userConnected = a.meta.userConnectedName;
    attributes[a.name] = { name: a.name, type: a.type, meta, value: a.value, timestamp: a.timestamp };
  }
  return { id: asset.id, realm: asset.realm, name: asset.name, type: asset.assetType, createdOn: asset.createdOn, attributes };
}

export async function startHttpApi(options: HttpOptions): Promise<HttpApi> {
  const { core } = options;
  const log = (line: string) => core.log(`http: ${line}`);

  async function token(req: http.IncomingMessage, res: http.ServerResponse, realm: string): Promise<void> {
    if (mediaType(req) !== 'application/x-www-form-urlencoded') throw new HttpError(400, { error: 'invalid_request', error_description: 'form body required' });
    const form = new URLSearchParams(await readBody(req));
    const grant = form.get('grant_type');
    let user: User | undefined;
    if (grant === 'password') {
      user = core.checkPassword(realm, form.get('username') ?? '', form.get('password') ?? '');
      if (!user) throw new HttpError(401, { error: 'invalid_grant', error_description: 'Invalid user credentials' });
    } else if (grant === 'client_credentials') {
      let id = form.get('client_id') ?? '';
      let secret = form.get('client_secret') ?? '';
      // Keycloak also takes client_secret_basic: Authorization: Basic base64(id:secret).
      const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      if (basic) {
        const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon > 0) {
          id = decodeURIComponent(decoded.slice(0, colon));
          secret = decodeURIComponent(decoded.slice(colon + 1));
        }
      }
      user = core.checkClientCredentials(realm, id, secret);
      if (!user) throw new HttpError(401, { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' });
    } else {
      throw new HttpError(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant_type' });
    }
    const t = core.issueToken(user);
    log(`token issued to ${realm}:${user.username} (${grant})`);
    send(res, 200, { access_token: t.token, token_type: 'Bearer', expires_in: t.expiresIn });
  }

  async function provision(req: http.IncomingMessage, res: http.ServerResponse, realm: string): Promise<void> {
    const user = bearer(core, req);
    if (user.kind !== 'human' || user.realm !== realm) throw new HttpError(403, { error: 'this principal may not provision devices in this realm' });
    if (mediaType(req) !== 'application/json') throw new HttpError(400, { error: 'Content-Type must be application/json' });
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw new HttpError(400, { error: 'body is not JSON' });
    }
    const b = body as Record<string, unknown> | null;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new HttpError(400, { error: 'body must be a JSON object' });
    for (const field of ['deviceId', 'password', 'modelName'] as const) {
      if (typeof b[field] !== 'string' || b[field] === '') throw new HttpError(400, { error: `${field} is required and must be a non-empty string` });
    }
    const deviceId = b.deviceId as string;
    // The lower-cased deviceId becomes a username and an MQTT topic-safe client id; refuse what cannot be one.
    if (deviceId.length > 255 || /[\s/+#:\u0000-\u001f\u007f]/.test(deviceId)) throw new HttpError(400, { error: 'deviceId must be 1-255 characters without whitespace, / + # or :' });
    const r = core.provision(user, deviceId, b.password as string, b.modelName as string);
    // 409 is the spec's "business error" (§3.2). We use it for an unknown modelName (§3.1: an error if no asset type
    // matches) and for a deviceId already bound to a different modelName: silently retyping an asset would lose its
    // attributes, and re-provisioning the same device with its own model stays idempotent.
    if (r.status !== 'ok') throw new HttpError(409, { error: r.message });
    const answer: Record<string, unknown> = { assetId: r.asset.id, assetCreated: r.assetCreated, serviceUserCreated: r.serviceUserCreated };
    if (r.properties) answer.properties = r.properties;
    // 201 when the asset was created, 200 when it existed. The published spec only lists 200; both apps accept any
    // 2xx (§3.2: only 401, 409 and non-2xx are errors).
    send(res, r.assetCreated ? 201 : 200, answer);
  }

  function readableAsset(user: User, realm: string, assetId: string): Asset {
    if (user.realm !== realm) throw new HttpError(403, { error: 'token is for another realm' });
    const asset = core.getAsset(assetId);
    if (!asset || asset.realm !== realm) throw new HttpError(404, { error: 'asset not found' });
    // Restricted (service) users only reach linked assets; the configured human users are realm users without
    // restriction, like an OpenRemote admin, but we still link them at provisioning (§3.3).
    if (user.restricted && !user.linkedAssets.has(asset.id)) throw new HttpError(403, { error: 'asset is not linked to this user' });
    return asset;
  }

  async function writeAttribute(req: http.IncomingMessage, res: http.ServerResponse, realm: string, assetId: string, name: string): Promise<void> {
    const user = bearer(core, req);
    const asset = readableAsset(user, realm, assetId);
    const attr = Object.prototype.hasOwnProperty.call(asset.attributes, name) ? asset.attributes[name] : undefined;
    if (!attr) throw new HttpError(404, { error: 'attribute not found' });
    if (user.restricted && !attr.meta.accessRestrictedWrite) throw new HttpError(403, { error: 'attribute is not writable by a restricted user' });
    let value: unknown;
    try {
      value = JSON.parse(await readBody(req));
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw new HttpError(400, { error: 'body must be the JSON value' });
    }
    const r = core.writeAttribute(asset.id, name, value, undefined, `rest:${user.username}`);
    if (r.status === 'rejected') throw new HttpError(400, { error: r.reason });
    if (r.status === 'unknown') throw new HttpError(404, { error: 'attribute not found' });
    send(res, 204);
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://backend');
    const p = url.pathname;
    let m: RegExpExecArray | null;
    if ((m = ROUTE_TOKEN.exec(p))) {
      if (req.method !== 'POST') throw new HttpError(405, { error: 'method not allowed' });
      return token(req, res, decodeSegment(m[1]!));
    }
    if ((m = ROUTE_DEVICE.exec(p))) {
      if (req.method !== 'POST') throw new HttpError(405, { error: 'method not allowed' });
      return provision(req, res, decodeSegment(m[1]!));
    }
    if ((m = ROUTE_ATTRIBUTE.exec(p))) {
      if (req.method !== 'PUT') throw new HttpError(405, { error: 'method not allowed' });
      return writeAttribute(req, res, decodeSegment(m[1]!), decodeSegment(m[2]!), decodeSegment(m[3]!));
    }
    if ((m = ROUTE_ASSET.exec(p))) {
      if (req.method !== 'GET') throw new HttpError(405, { error: 'method not allowed' });
      const user = bearer(core, req);
      return send(res, 200, assetView(readableAsset(user, decodeSegment(m[1]!), decodeSegment(m[2]!)), user));
    }
    throw new HttpError(404, { error: 'not found' });
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    route(req, res).catch((e: unknown) => {
      if (e instanceof HttpError) {
        if (e.status >= 400) log(`${req.method} ${req.url?.split('?')[0]} → ${e.status} ${e.body.error}`);
        send(res, e.status, e.body);
      } else {
        log(`${req.method} ${req.url?.split('?')[0]} → 500 ${(e as Error).message}`);
        send(res, 500, { error: 'internal error' });
      }
    });
  };
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host ?? '127.0.0.1' }, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
