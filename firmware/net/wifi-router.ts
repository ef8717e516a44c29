// One owner of the Wi-Fi host's callbacks. wifi.start() takes one callback set, but two parts of the firmware use
// the station at different times: the provisioning manager while a provisioning run is active (§8.4: it reacts to
// events only in state >= CRED_RECV) and the station controller otherwise. The router forwards each event to
// whoever holds the station now.
import type { WifiCallbacks, WifiStationHost } from '../host/wifi';

export class WifiRouter {
  private target: WifiCallbacks | undefined;
  private started = false;

  constructor(private readonly wifi: WifiStationHost) {}

  /** Starts the station interface once and routes its events to `target` from now on. */
  attach(target: WifiCallbacks): void {
    this.target = target;
    if (this.started) return;
    this.started = true;
    this.wifi.start({
      onConnected: () => this.target?.onConnected(),
      onGotIp: (ip) => this.target?.onGotIp(ip),
      onLostIp: () => this.target?.onLostIp(),
      onDisconnected: (reason) => this.target?.onDisconnected(reason),
    });
  }
}
