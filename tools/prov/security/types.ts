// The client side of a protocomm security scheme (unified-provisioning.md §3-§5), mirroring esp_prov's
// `security_session(response)` loop: each handshake step takes the device's last answer and returns the next
// request for `prov-session`, or undefined when the session is established. After that, every REQ endpoint
// message goes through encrypt()/decrypt() in strict call order (one request, then its response).

export type RandomSource = (length: number) => Uint8Array;

export interface ClientSecurity {
  readonly version: 0 | 1 | 2;
  /** First call with `undefined`; throws SecurityError when the device's answer does not verify. */
  step(response: Uint8Array | undefined): Uint8Array | undefined;
  readonly established: boolean;
  encrypt(plaintext: Uint8Array): Uint8Array;
  /** Throws SecurityError when the response does not authenticate (sec2). */
  decrypt(ciphertext: Uint8Array): Uint8Array;
  /** Forgets keys (a new connection needs a new handshake, §9.1 "Connect and disconnect"). */
  close(): void;
}
