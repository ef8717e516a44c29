// Chooses and builds the client security scheme (unified-provisioning.md §6.4; openremote.md §2.3).
import { Sec0Client } from './sec0';
import { Sec1Client } from './sec1';
import { Sec2Client } from './sec2';
import type { ClientSecurity, RandomSource } from './types';

export interface SecurityChoice {
  version: 0 | 1 | 2;
  patchVersion: 0 | 1;
}

export interface SecurityCredentials {
  pop?: string;
  /** sec2 identity; default "UNUSED" like the OpenRemote apps. */
  username?: string;
  random?: RandomSource;
}

export function createClientSecurity(choice: SecurityChoice, credentials: SecurityCredentials): ClientSecurity {
  switch (choice.version) {
    case 0:
      return new Sec0Client();
    case 1:
      return new Sec1Client({ pop: credentials.pop, random: credentials.random });
    case 2:
      // OpenRemote: the SRP password is the PoP (openremote.md §2.3).
      return new Sec2Client({
        username: credentials.username ?? 'UNUSED',
        password: credentials.pop ?? '',
        patchVersion: choice.patchVersion,
        random: credentials.random,
      });
  }
}

export { Sec0Client, Sec1Client, Sec2Client };
export type { ClientSecurity, RandomSource };
