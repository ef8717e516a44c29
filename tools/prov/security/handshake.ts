// The two-round handshake loop shared by the sec1 and sec2 clients (unified-provisioning.md §4.2, §5.4), as
// esp_prov's security_session(response) drives it: Cmd0 → Resp0/Cmd1 → Resp1, then the session is established.
// Each scheme supplies its three steps and keeps its own keys; sec0's one-round exchange does not fit and stays apart.
import { SecurityError } from '../errors';
import type { ClientSecurity } from './types';

const enum Stage {
  Command0,
  Command1,
  Response1,
  Established,
}

export abstract class TwoRoundHandshake implements ClientSecurity {
  abstract readonly version: 1 | 2;
  private stage = Stage.Command0;

  get established(): boolean {
    return this.stage === Stage.Established;
  }

  step(response: Uint8Array | undefined): Uint8Array | undefined {
    // A step that throws leaves the stage where it was.
    switch (this.stage) {
      case Stage.Command0: {
        const request = this.command0();
        this.stage = Stage.Command1;
        return request;
      }
      case Stage.Command1: {
        const request = this.command1(response);
        this.stage = Stage.Response1;
        return request;
      }
      case Stage.Response1:
        this.checkResponse1(response);
        this.stage = Stage.Established;
        return undefined;
      default:
        throw new SecurityError(`sec${this.version}: handshake already complete`);
    }
  }

  abstract encrypt(plaintext: Uint8Array): Uint8Array;
  abstract decrypt(ciphertext: Uint8Array): Uint8Array;

  /** Forgets the keys (subclasses wipe theirs, then call this); the next step() starts a new handshake. */
  close(): void {
    this.stage = Stage.Command0;
  }

  /** Builds SessionCmd0. */
  protected abstract command0(): Uint8Array;
  /** Verifies SessionResp0 and builds SessionCmd1. */
  protected abstract command1(response: Uint8Array | undefined): Uint8Array;
  /** Verifies SessionResp1; throws SecurityError when the device's proof does not match. */
  protected abstract checkResponse1(response: Uint8Array | undefined): void;
}
