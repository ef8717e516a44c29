// Tests for the small simulator parts (tools/sim/host/device.ts, button.ts, uart.ts) and createNodeHost
// (tools/sim/host/index.ts).
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SimButton } from '../../tools/sim/host/button';
import { SIM_DEFAULT_FREE_HEAP_BYTES, createSimDevice } from '../../tools/sim/host/device';
import { FirmwareDispatcher } from '../../tools/sim/host/dispatch';
import { createNodeHost } from '../../tools/sim/host/index';
import { SimNvs } from '../../tools/sim/host/nvs';
import { MemoryUart, createStreamUart } from '../../tools/sim/host/uart';

describe('device', () => {
  it('reports identity from options and hands out copies of the MAC', () => {
    const device = createSimDevice({ mac: '24:6F:28:aa:bb:cc' });
    const mac = device.mac();
    expect(Array.from(mac)).toEqual([0x24, 0x6f, 0x28, 0xaa, 0xbb, 0xcc]);
    mac[0] = 0;
    expect(device.mac()[0]).toBe(0x24);
    expect(device.chipModel()).toBe('sim');
    expect(device.freeHeapBytes()).toBe(SIM_DEFAULT_FREE_HEAP_BYTES);
    expect(() => createSimDevice({ mac: '24:6f:28' })).toThrow(RangeError);
  });

  it('calls the restart hook, and fails loudly without one', () => {
    let restarted = 0;
    const device = createSimDevice({ onRestart: () => restarted++, freeHeapBytes: () => 4096 });
    device.restart();
    expect(restarted).toBe(1);
    expect(device.restarts).toBe(1);
    expect(device.freeHeapBytes()).toBe(4096);
    expect(() => createSimDevice().restart()).toThrow(/no onRestart hook/);
  });
});

describe('button', () => {
  it('delivers short and long presses to the firmware callback and rejects others', () => {
    const button = new SimButton();
    const events: string[] = [];
    button.press('short'); // no callback yet: dropped
    button.onEvent((e) => events.push(e));
    button.press('short');
    button.press('long');
    expect(events).toEqual(['short', 'long']);
    expect(() => button.press('double' as never)).toThrow(RangeError);
  });
});

describe('uart', () => {
  it('memory UART: typed bytes reach the firmware, written bytes reach the test', () => {
    const uart = new MemoryUart();
    const got: number[] = [];
    uart.type('lost'); // not open yet
    uart.open((d) => got.push(...d));
    uart.type('hi\r');
    const seen: string[] = [];
    uart.onOutput((d) => seen.push(Buffer.from(d).toString()));
    uart.write(new TextEncoder().encode('> '));
    expect(Buffer.from(got).toString()).toBe('hi\r');
    expect(uart.receivedText()).toBe('> ');
    expect(seen).toEqual(['> ']);
    uart.close();
    uart.type('dropped'); // nobody receives
    uart.write(new TextEncoder().encode('!')); // output still works, as console output on the chip
    uart.open((d) => got.push(...d)); // reopened after a simulated reboot
    uart.type('again');
    expect(Buffer.from(got).toString()).toBe('hi\ragain');
    expect(uart.receivedText()).toBe('> !');
    expect(() => uart.open(() => undefined)).toThrow(/already open/);
  });

  it('stream UART: bytes over a Readable/Writable pair', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const uart = createStreamUart({ input, output });
    const got: Uint8Array[] = [];
    uart.open((d) => got.push(d));
    input.write(Buffer.from([1, 2, 3]));
    uart.write(new Uint8Array([9, 8]));
    await new Promise((r) => setImmediate(r));
    expect(got.map((d) => Array.from(d))).toEqual([[1, 2, 3]]);
    expect(Array.from(output.read() as Buffer)).toEqual([9, 8]);
    uart.close();
    input.write(Buffer.from([4]));
    await new Promise((r) => setImmediate(r));
    expect(got).toHaveLength(1);
  });
});

describe('createNodeHost', () => {
  it('assembles a working Host with virtual time, capture log, memory UART and a shared NVS', () => {
    const nvs = new SimNvs();
    const host = createNodeHost({
      clock: 'virtual',
      log: 'capture',
      uart: 'memory',
      nvs,
      random: [new Uint8Array([1, 2, 3, 4])],
      device: { mac: '02:00:00:00:00:07' },
    });
    expect(host.crypto.randomBytes(4)).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(host.crypto.randomBytes(4)).toHaveLength(4);
    host.nvs.open('ns', 'readwrite').setU8('k', 1);
    expect(nvs.open('ns', 'readonly').getU8('k')).toBe(1);
    let fired = false;
    host.timers.setTimeout(() => (fired = true), 100);
    host.sim.virtualClock!.advance(100);
    expect(fired).toBe(true);
    expect(host.clock.monotonicMs()).toBe(100);
    expect(host.clock.wallMs()).toBeUndefined();
    host.log.write('info', 'boot', 'hello');
    expect(host.sim.capture!.lines).toEqual(['I (100) boot: hello']);
    expect(host.device.mac()[5]).toBe(7);
    host.timers.setTimeout(() => (fired = false), 10);
    host.sim.shutdown(); // power-off: timers of the old firmware never fire
    host.sim.virtualClock!.advance(100);
    expect(fired).toBe(true);
    expect(host.sim.virtualClock!.pending).toBe(0);
  });

  it('throws a clear error when a part nobody supplied is used', () => {
    const host = createNodeHost({ clock: 'virtual', log: 'capture', uart: 'memory' });
    expect(() => host.ble.stopAdvertising()).toThrow(/host\.ble\.stopAdvertising: no ble host was configured/);
    expect(() => host.wifi.mac()).toThrow(/no wifi host/);
    // Probing it (as Promise resolution does) is harmless.
    expect((host.wifi as unknown as { then?: unknown }).then).toBeUndefined();
  });

  it('routes every firmware callback through one dispatcher', () => {
    const host = createNodeHost({ clock: 'virtual', log: 'capture', uart: 'memory' });
    expect(host.sim.dispatcher).toBeInstanceOf(FirmwareDispatcher);
    const order: string[] = [];
    host.uart.open(() => order.push('uart'));
    host.button.onEvent(() => {
      order.push('button start');
      host.sim.memoryUart!.type('x'); // arrives while the button callback runs: must wait
      order.push('button end');
    });
    host.sim.button.press('short');
    expect(order).toEqual(['button start', 'button end', 'uart']);
  });
});
