// The demo application as a boot extra (firmware/boot.ts BootExtras): a simulated temperature sensor and a writable
// switch (firmware/app/demo.ts). The simulator (on XS and on Node) and the development board image run it; a product
// passes its own application instead.
import type { BootExtras } from '../boot';
import { DemoApp } from './demo';

export const demoApplication: BootExtras = {
  application: ({ host, log, firmwareVersion }) =>
    new DemoApp({ timers: host.timers, clock: host.clock, crypto: host.crypto, wifi: host.wifi, logger: log, firmwareVersion }),
};
