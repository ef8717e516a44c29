// The provisioning client's transport contract (esp_prov transport/transport.py: send_data(ep_name, data)):
// one request in, one response out, in order. A device handler error arrives as NoResponseError (§2.1: session
// failures are signalled by the absence of a response).

export interface Transport {
  readonly kind: 'httpd' | 'ble';
  /** Sends `data` to endpoint `endpoint` and resolves to the device's answer. */
  send(endpoint: string, data: Uint8Array): Promise<Uint8Array>;
  /** Endpoint names the device exposes, when the transport can know them (BLE: from 0x2901 descriptors). */
  endpoints(): string[] | undefined;
  close(): Promise<void>;
}
