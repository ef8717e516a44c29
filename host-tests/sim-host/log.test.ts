// Tests for the simulator log sinks (tools/sim/host/log.ts): ESP-IDF line format and the capture sink's secret
// detection in plain, hex and base64 forms.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SecretRegistry, Logger } from '../../firmware/util/log';
import { VirtualClock } from '../../tools/sim/host/clock';
import { CaptureLog, createStderrLog, formatLogLine } from '../../tools/sim/host/log';

describe('log format', () => {
  it('prints like esp_log_write with monotonic ms, and filters by level', () => {
    const clock = new VirtualClock();
    clock.advance(1234);
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const log = createStderrLog({ clock, stream, level: 'info' });
    log.write('info', 'wifi', 'connected');
    log.write('error', 'mqtt', 'refused');
    log.write('debug', 'ble', 'dropped');
    expect(chunks.join('')).toBe('I (1234) wifi: connected\nE (1234) mqtt: refused\n');
    expect(formatLogLine('warn', 5.9, 't', 'm')).toBe('W (5) t: m');
  });
});

describe('CaptureLog.assertNoSecret', () => {
  const SECRET = 'hunter2-passphrase';
  const bytes = new TextEncoder().encode(SECRET);
  const hex = Buffer.from(bytes).toString('hex');

  const leaks: [string, string][] = [
    ['plain', `joining with ${SECRET}!`],
    ['hex', `psk=${hex}`],
    ['HEX', `psk=${hex.toUpperCase()}`],
    ['hex with colons', `psk=${hex.match(/../g)!.join(':')}`],
    ['base64', `blob ${Buffer.from(bytes).toString('base64')}`],
    ['base64 inside a longer value, offset 1', `blob ${Buffer.concat([Buffer.from([7]), bytes, Buffer.from([1, 2])]).toString('base64')}`],
    ['base64 inside a longer value, offset 2', `blob ${Buffer.concat([Buffer.from([7, 8]), bytes]).toString('base64')}`],
    ['base64url', `blob ${Buffer.from(new Uint8Array([0xfb, 0xff, ...bytes])).toString('base64url')}`],
  ];
  for (const [name, line] of leaks) {
    it(`catches the ${name} form`, () => {
      const log = new CaptureLog();
      log.write('info', 'ok', 'harmless');
      log.write('debug', 'leaky', line);
      expect(() => log.assertNoSecret('unrelated', SECRET)).toThrow(/log line 1 \(tag "leaky"\) contains secret #1/);
    });
  }

  it('catches a byte secret (a key) in hex', () => {
    const key = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x00, 0x11]);
    const log = new CaptureLog();
    log.write('info', 'sec', 'k=DEADBEEF0011');
    expect(() => log.assertNoSecret(key)).toThrow(/secret #0 \(hex\)/);
  });

  it('passes on clean logs, including what the redacting Logger prints', () => {
    const log = new CaptureLog();
    const secrets = new SecretRegistry();
    secrets.add(SECRET);
    new Logger(log, 'wifi', secrets).info(`connecting with ${SECRET}`);
    expect(log.lines).toHaveLength(1);
    expect(() => log.assertNoSecret(SECRET, bytes)).not.toThrow();
  });

  it('never prints the secret in its own failure message', () => {
    const log = new CaptureLog();
    log.write('info', 't', SECRET);
    let message = '';
    try {
      log.assertNoSecret(SECRET);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe('');
    expect(message).not.toContain(SECRET);
  });

  it('refuses secrets too short to search for', () => {
    expect(() => new CaptureLog().assertNoSecret('abc')).toThrow(/at least 4/);
  });
});
