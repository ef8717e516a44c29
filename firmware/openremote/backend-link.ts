// The backend link as the or-cfg channel sees it (openremote.md §1.5 polling, §0 item 6): start with a config,
// stop, and a status for BackendConnectionStatus polls plus a precise reason token for logs and the proto-ver
// application label. The channel depends only on this interface, never on MQTT internals; mqtt-link.ts is the
// adapter over firmware/mqtt/client.ts.
import type { BackendStatus } from './mqtt-api';
import type { OpenRemoteConfig } from './config';

export type { BackendStatus };

export interface BackendLinkState {
  /** What the app is told: DISCONNECTED / CONNECTING / CONNECTED / FAILED (Response.BackendConnectionStatus). */
  status: BackendStatus;
  /** Short machine-readable token, [a-z0-9_]: "idle", "connecting", "subscribing", "online", "auth_refused",
   * "tls_unknown_ca", "dns", "tcp_refused", ... (see mqtt-link.ts reasonToken). Goes to the log and proto-ver. */
  reason: string;
}

export interface BackendLink {
  /** Starts (or restarts, replacing the previous config) the link in the background. Never throws for a bad
   * network; the outcome shows in state(). */
  start(config: OpenRemoteConfig): void;
  /** Ends the link and stops reconnecting; state() becomes DISCONNECTED. */
  stop(): void;
  state(): BackendLinkState;
  /** Optional: called after every state change (the channel refreshes the proto-ver label from it). */
  onChange?(listener: (state: BackendLinkState) => void): void;
}
