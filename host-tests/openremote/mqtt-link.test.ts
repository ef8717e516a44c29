// MqttBackendLink (the real MQTT client behind the or-cfg status) in virtual time against a scripted network
// (scripted-net.ts): what the app's back-to-back polls see for a good broker, a wrong password, a broker that is
// down, an unknown CA, a name that does not resolve, a black hole and a refused subscription. The rules under test
// (openremote.md §1.5 [I]): never CONNECTED before CONNACK + SUBACK; FAILED only for definite failures and then
// inside the app's 60 s window; a later correct OpenRemoteConfig in the same session recovers.
import { describe, expect, it } from 'vitest';
import { orconfig } from '../../firmware/generated/proto.js';
import { OrConfigChannel } from '../../firmware/openremote/config-channel';
import type { BackendLinkState } from '../../firmware/openremote/backend-link';
import { MqttBackendLink } from '../../firmware/openremote/mqtt-link';
import { ProtoVersion } from '../../firmware/protocomm/version';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { VirtualClock } from '../../tools/sim/host/clock';
import { createNodeCryptoHost } from '../../tools/sim/host/crypto';
import { CaptureLog } from '../../tools/sim/host/log';
import { SimNvs } from '../../tools/sim/host/nvs';
import { ScriptedNet, scriptedBroker } from './scripted-net';

const ASSET = '6tXbmMvQLd2e7UrY5xLviR';
const USER = 'a4cf12b3c4d5';
const SECRET = 'Xy7pQ2rS9tU4vW1z';
const POLL_MS = 45;
const config = (host: string, password = SECRET, realm = 'master') => ({ mqttBrokerUrl: `mqtts://${host}:8883`, user: USER, mqttPassword: password, realm, assetId: ASSET });

function rig() {
  const clock = new VirtualClock();
  const net = new ScriptedNet(clock);
  const capture = new CaptureLog(clock);
  const secrets = new SecretRegistry();
  const log = new Logger(capture, 'or', secrets, 'debug');
  const changes: BackendLinkState[] = [];
  const link = new MqttBackendLink({
    deps: { socket: net, timers: clock, clock, crypto: createNodeCryptoHost(), logger: log.child('mqtt') },
    ca: ['-----BEGIN CERTIFICATE-----\n(scripted: the socket seam decides verification)\n-----END CERTIFICATE-----'],
    secrets,
  });
  link.onChange((s) => changes.push(s));
  const version = new ProtoVersion({ securityVersion: 2, securityPatchVersion: 1 });
  const channel = new OrConfigChannel({ nvs: new SimNvs(), timers: clock, log: log.child('or-cfg'), secrets, deviceId: USER.toUpperCase(), modelName: 'or-demo', link, appInfo: version });
  let id = 0;
  const call = (body: orconfig.Request.$Properties) => orconfig.Response.decode(channel.handle(orconfig.Request.encode({ id: String(id++), ...body }).finish()) as Uint8Array);
  /** The app after OpenRemoteConfig: back-to-back polls for up to 60 s (§1.5 step 7). */
  const sendAndPoll = (cfg: ReturnType<typeof config>) => {
    const r = call({ openRemoteConfig: cfg });
    expect(r.result?.result ?? 0).toBe(0);
    const start = clock.monotonicMs();
    const polls: { atMs: number; status: number }[] = [];
    while (clock.monotonicMs() - start <= 60_000) {
      const status = call({ backendConnectionStatus: {} }).backendConnectionStatus?.status ?? 0;
      polls.push({ atMs: clock.monotonicMs() - start, status });
      if (status === 2) break;
      clock.advance(POLL_MS);
    }
    const firstFailed = polls.find((p) => p.status === 3)?.atMs;
    const connectedAt = polls.find((p) => p.status === 2)?.atMs;
    return { polls, firstFailed, connectedAt, statuses: new Set(polls.map((p) => p.status)) };
  };
  const label = () => JSON.parse(version.toJson()).openremote.cap as string[];
  return { clock, net, capture, link, changes, channel, sendAndPoll, label };
}

const allowOwnAsset = (filter: string, username: string) => filter === `${username.split(':')[0]}/${USER}/attributevalue/+/${ASSET}`;

describe('MqttBackendLink status as the app polls it', () => {
  it('good broker: CONNECTING until CONNACK and SUBACK, then CONNECTED', () => {
    const r = rig();
    const broker = scriptedBroker({ [`master:${USER}`]: SECRET }, allowOwnAsset);
    r.net.hosts.set('or.example.com', { kind: 'broker', broker });
    const out = r.sendAndPoll(config('or.example.com'));
    expect(out.connectedAt).toBeDefined();
    expect(out.statuses).toEqual(new Set([1, 2]));
    // CONNACK alone was not enough: "subscribing" (CONNECTING) came between the CONNACK and the SUBACK.
    const reasons = r.changes.map((s) => `${s.status}:${s.reason}`);
    const online = reasons.indexOf('CONNECTED:online');
    expect(reasons.lastIndexOf('CONNECTING:subscribing', online)).toBeGreaterThanOrEqual(0);
    expect(r.label()).toEqual(['or-cfg', 'status:connected', 'link:online']);
    expect(r.net.attempts).toEqual(['or.example.com:8883 tls']);
    r.capture.assertNoSecret(SECRET);
  });

  it('the service user appears a few seconds late: two refusals are retried, never FAILED, then CONNECTED', () => {
    const r = rig();
    const broker = scriptedBroker({}, allowOwnAsset);
    r.net.hosts.set('or.example.com', { kind: 'broker', broker });
    r.clock.setTimeout(() => (broker.users[`master:${USER}`] = SECRET), 2500);
    const out = r.sendAndPoll(config('or.example.com'));
    expect(broker.connects - broker.accepted).toBeGreaterThanOrEqual(1);
    expect(out.statuses.has(3)).toBe(false);
    expect(out.connectedAt).toBeLessThan(60_000);
  });

  it('wrong password: never CONNECTED, FAILED (auth_refused) inside 60 s after the allowed retries; a correct config recovers', () => {
    const r = rig();
    const broker = scriptedBroker({ [`master:${USER}`]: SECRET }, allowOwnAsset);
    r.net.hosts.set('or.example.com', { kind: 'broker', broker });
    const bad = r.sendAndPoll(config('or.example.com', 'WrongPassword999'));
    expect(bad.statuses.has(2)).toBe(false);
    expect(bad.firstFailed).toBeDefined();
    expect(bad.firstFailed).toBeGreaterThanOrEqual(10_000); // authGraceMs: refusals must span a few seconds
    expect(bad.firstFailed).toBeLessThan(60_000);
    expect(broker.connects).toBeGreaterThanOrEqual(3); // a couple of retries before FAILED (§1.5 [I])
    expect(r.label()).toEqual(['or-cfg', 'status:failed', 'link:auth_refused']);
    expect(r.capture.lines.some((l) => l.includes('backend link FAILED (auth_refused)'))).toBe(true);

    const good = r.sendAndPoll(config('or.example.com'));
    expect(good.connectedAt).toBeDefined();
    expect(good.connectedAt).toBeLessThan(10_000);
    expect(broker.accepted).toBe(1);
    r.capture.assertNoSecret(SECRET, 'WrongPassword999');
  });

  it('broker down (TCP refused): CONNECTING while it may come back, FAILED (tcp_refused) before 60 s; recovery', () => {
    const r = rig();
    r.net.hosts.set('or.example.com', { kind: 'fail', code: 'REFUSED', afterMs: 5 });
    const down = r.sendAndPoll(config('or.example.com'));
    expect(down.statuses.has(2)).toBe(false);
    expect(down.firstFailed).toBeGreaterThanOrEqual(40_000);
    expect(down.firstFailed).toBeLessThan(60_000);
    expect(r.label()).toContain('link:tcp_refused');
    r.net.hosts.set('or.example.com', { kind: 'broker', broker: scriptedBroker({ [`master:${USER}`]: SECRET }, allowOwnAsset) });
    expect(r.sendAndPoll(config('or.example.com')).connectedAt).toBeLessThan(10_000);
  });

  it('unknown CA: FAILED (tls_unknown_ca) at once, no retry storm reported as progress; recovery with another broker', () => {
    const r = rig();
    r.net.hosts.set('evil.example.com', { kind: 'fail', code: 'TLS_UNKNOWN_CA', afterMs: 120 });
    const out = r.sendAndPoll(config('evil.example.com'));
    expect(out.statuses.has(2)).toBe(false);
    expect(out.firstFailed).toBeLessThan(1000);
    expect(r.label()).toContain('link:tls_unknown_ca');
    r.net.hosts.set('or.example.com', { kind: 'broker', broker: scriptedBroker({ [`master:${USER}`]: SECRET }, allowOwnAsset) });
    expect(r.sendAndPoll(config('or.example.com')).connectedAt).toBeLessThan(10_000);
  });

  it('name does not resolve: FAILED (dns) inside 60 s', () => {
    const r = rig();
    const out = r.sendAndPoll(config('nxdomain.example.com'));
    expect(out.statuses.has(2)).toBe(false);
    expect(out.firstFailed).toBeLessThan(60_000);
    expect(r.label()).toContain('link:dns');
  });

  it('black hole (connect timeouts): CONNECTING for the first attempt, FAILED (connect_timeout) before 60 s', () => {
    const r = rig();
    r.net.hosts.set('or.example.com', { kind: 'blackhole' });
    const out = r.sendAndPoll(config('or.example.com'));
    expect(out.polls.filter((p) => p.atMs < 20_000).every((p) => p.status === 1)).toBe(true);
    expect(out.firstFailed).toBeGreaterThanOrEqual(20_000);
    expect(out.firstFailed).toBeLessThan(60_000);
    expect(r.label()).toContain('link:connect_timeout');
  });

  it('subscription refused (service user not linked to the asset): FAILED (subscribe_refused), never CONNECTED', () => {
    const r = rig();
    r.net.hosts.set('or.example.com', { kind: 'broker', broker: scriptedBroker({ [`master:${USER}`]: SECRET }, () => false) });
    const out = r.sendAndPoll(config('or.example.com'));
    expect(out.statuses.has(2)).toBe(false);
    expect(out.firstFailed).toBeLessThan(5000);
    expect(r.label()).toContain('link:subscribe_refused');
  });

  it('stop() reports DISCONNECTED and sends DISCONNECT; state before any config is DISCONNECTED', () => {
    const r = rig();
    expect(r.link.state()).toEqual({ status: 'DISCONNECTED', reason: 'idle' });
    r.net.hosts.set('or.example.com', { kind: 'broker', broker: scriptedBroker({ [`master:${USER}`]: SECRET }, allowOwnAsset) });
    expect(r.sendAndPoll(config('or.example.com')).connectedAt).toBeDefined();
    r.link.stop();
    expect(r.link.state()).toEqual({ status: 'DISCONNECTED', reason: 'idle' });
    expect(r.link.mqttClient).toBeUndefined();
  });
});
