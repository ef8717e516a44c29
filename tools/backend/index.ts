// startBackend(): the OpenRemote-compatible development backend in one call: the HTTP API (tools/backend/http.ts)
// and the TLS MQTT broker (tools/backend/broker.ts) over one shared state (tools/backend/core.ts), with a CA and
// server certificate from tools/certs/pki.ts (generated on first start, kept in the data directory when given).
// Models openremote.md §3 and §4; see tools/backend/README.md for what it does not model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventEmitter } from 'node:events';
import { generateTestPki, PKI_FILES, writeTestPki } from '../certs/pki';
import { startBroker } from './broker';
import { BackendCore, type HumanUserConfig } from './core';
import { startHttpApi } from './http';
import { DEFAULT_MODELS, validateModels, type AssetModel } from './model';

export interface BackendOptions {
  /** HTTP API port; 0 = ephemeral. Default 8080. */
  httpPort?: number;
  /** MQTT/TLS port; 0 = ephemeral. Default 8883 (what the apps put in mqtt_broker_url, §1.5). */
  mqttPort?: number;
  /** Interface to bind both servers to. Default 127.0.0.1; use 0.0.0.0 for a real device on the LAN. */
  host?: string;
  /** Extra names/IPs for the server certificate (default localhost, 127.0.0.1, ::1). Only used when generating. */
  certHosts?: string[];
  /** Keep the PKI (DIR/pki) and the assets/service users (DIR/state.json) here; otherwise all in memory. */
  dataDir?: string;
  /** Human users that can get a password-grant token and call /rest/device. Default master/admin/secret. */
  users?: HumanUserConfig[];
  /** modelName → asset type. Default DEFAULT_MODELS ("or-demo"). */
  models?: Record<string, AssetModel>;
  /** Serve the HTTP API over TLS with the same certificate. Default false. */
  httpsApi?: boolean;
  /** Delay inside MQTT CONNECT modelling the Keycloak round trip (§4.2). Default 0. */
  loginDelayMs?: number;
  tokenLifetimeSeconds?: number;
  /** Log sink (never receives secrets). Default: nothing. */
  log?: (line: string) => void;
}

export interface Backend {
  httpPort: number;
  mqttPort: number;
  /** PEM of the CA that issued the broker's certificate: what the device must trust. */
  caPem: string;
  /** Path of that CA on disk when dataDir is set. */
  caPath: string | undefined;
  /** 'attribute' (AttributeEvent), 'provisioned', 'userChanged', 'mqttConnect', 'mqttDisconnect'. */
  events: EventEmitter;
  core: BackendCore;
  connectedClientIds(): string[];
  stop(): Promise<void>;
}

export const DEFAULT_USERS: HumanUserConfig[] = [{ realm: 'master', username: 'admin', password: 'secret' }];

async function loadOrMakePki(dataDir: string | undefined, hosts: string[] | undefined): Promise<{ ca: string; key: string; cert: string; caPath?: string }> {
  if (dataDir) {
    const dir = path.join(dataDir, 'pki');
    const file = (name: string) => path.join(dir, name);
    if (![PKI_FILES.caCert, PKI_FILES.serverCert, PKI_FILES.serverKey].every((f) => fs.existsSync(file(f)))) {
      writeTestPki(dir, await generateTestPki(hosts ? { hosts: ['localhost', '127.0.0.1', '::1', ...hosts] } : {}));
    }
    return {
      ca: fs.readFileSync(file(PKI_FILES.caCert), 'utf8'),
      cert: fs.readFileSync(file(PKI_FILES.serverCert), 'utf8'),
      key: fs.readFileSync(file(PKI_FILES.serverKey), 'utf8'),
      caPath: file(PKI_FILES.caCert),
    };
  }
  const pki = await generateTestPki(hosts ? { hosts: ['localhost', '127.0.0.1', '::1', ...hosts] } : {});
  return { ca: pki.ca.cert, cert: pki.server.cert, key: pki.server.key };
}

export async function startBackend(options: BackendOptions = {}): Promise<Backend> {
  const pki = await loadOrMakePki(options.dataDir, options.certHosts);
  const core = new BackendCore({
    users: options.users ?? DEFAULT_USERS,
    models: validateModels(options.models ?? DEFAULT_MODELS),
    tokenLifetimeSeconds: options.tokenLifetimeSeconds,
    dataDir: options.dataDir,
    log: options.log,
  });
  const tlsPair = { key: pki.key, cert: pki.cert };
  const broker = await startBroker({ core, tls: tlsPair, port: options.mqttPort ?? 8883, host: options.host, loginDelayMs: options.loginDelayMs });
  let api;
  try {
    api = await startHttpApi({ core, port: options.httpPort ?? 8080, host: options.host, tls: options.httpsApi ? tlsPair : undefined });
  } catch (e) {
    await broker.close();
    throw e;
  }
  return {
    httpPort: api.port,
    mqttPort: broker.port,
    caPem: pki.ca,
    caPath: pki.caPath,
    events: core.events,
    core,
    connectedClientIds: () => broker.connectedClientIds(),
    async stop() {
      await api.close();
      await broker.close();
    },
  };
}
