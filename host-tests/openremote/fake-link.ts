// A scripted BackendLink for channel tests: after start(config) it walks through a timeline of states chosen per
// config (e.g. CONNECTING for 3 s then CONNECTED; or FAILED with "auth_refused" for a wrong password). It models
// only what the channel can observe through the BackendLink interface; the real adapter (MqttBackendLink) is
// tested against scripted sockets and a real broker elsewhere.
import type { ClockHost } from '../../firmware/host/clock';
import type { BackendLink, BackendLinkState } from '../../firmware/openremote/backend-link';
import type { OpenRemoteConfig } from '../../firmware/openremote/config';

export interface Step extends BackendLinkState {
  /** From start(); the step holds until the next one. */
  atMs: number;
}

export class ScriptedLink implements BackendLink {
  readonly starts: { atMs: number; config: OpenRemoteConfig }[] = [];
  stops = 0;
  private script: Step[] | undefined;
  private startedAt = 0;

  constructor(
    private readonly clock: ClockHost,
    private readonly scriptFor: (config: OpenRemoteConfig) => Step[],
  ) {}

  start(config: OpenRemoteConfig): void {
    this.startedAt = this.clock.monotonicMs();
    this.starts.push({ atMs: this.startedAt, config: { ...config, properties: { ...config.properties } } });
    this.script = this.scriptFor(config);
  }

  stop(): void {
    if (this.script) this.stops++;
    this.script = undefined;
  }

  state(): BackendLinkState {
    if (!this.script) return { status: 'DISCONNECTED', reason: 'idle' };
    const elapsed = this.clock.monotonicMs() - this.startedAt;
    let current: BackendLinkState = { status: 'CONNECTING', reason: 'connecting' };
    for (const s of this.script) if (s.atMs <= elapsed) current = { status: s.status, reason: s.reason };
    return current;
  }
}

/** Connects `afterMs` after start when the password matches, else reports auth refusals then FAILED. */
export function passwordScript(expected: () => string | undefined, afterMs = 2500): (c: OpenRemoteConfig) => Step[] {
  return (c) =>
    c.mqttPassword === expected()
      ? [
          { atMs: 0, status: 'CONNECTING', reason: 'connecting' },
          { atMs: afterMs - 300, status: 'CONNECTING', reason: 'subscribing' },
          { atMs: afterMs, status: 'CONNECTED', reason: 'online' },
        ]
      : [
          { atMs: 0, status: 'CONNECTING', reason: 'connecting' },
          { atMs: 1200, status: 'CONNECTING', reason: 'auth_refused' },
          { atMs: 7000, status: 'FAILED', reason: 'auth_refused' },
        ];
}
