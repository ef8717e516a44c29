// Console provisioning transport (unified-provisioning.md §9.3; field-notes.md §3.2 "Console line bounds") on an
// in-memory UART: echo, prompt, line endings, the 256-byte buffer, hex/session-id validation, session switching,
// deferred replies, stop(), and full sec0/sec1 sessions from the pinned transcripts through the real protocomm.
import { describe, expect, it } from 'vitest';
import { MemoryUart } from '../../tools/sim/host/uart';
import { CaptureLog } from '../../tools/sim/host/log';
import { createRealClock } from '../../tools/sim/host/clock';
import { createNodeCryptoHost, scriptedRandom } from '../../tools/sim/host/crypto';
import { createProtocomm } from '../../firmware/protocomm/protocomm';
import type { SecurityConfig } from '../../firmware/protocomm/security/index';
import type { Protocomm } from '../../firmware/protocomm/types';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { MAX_LINE_CHARS, ProtocommConsole, parseConsoleLine } from '../../firmware/transport/console';
import { FakeProtocomm } from '../transport-http/fake-protocomm';
import type { ProvisioningTransport } from '../../firmware/provisioning/manager';
import { STANDARD_ENDPOINTS } from '../../firmware/provisioning/endpoints';
import { loadTranscripts, type TranscriptStep } from '../fixtures/vectors';

const VECTORS = loadTranscripts();

function setup(protocomm: Protocomm = new FakeProtocomm(), endpointNames?: () => string[]) {
  const uart = new MemoryUart();
  const log = new CaptureLog();
  const console_ = new ProtocommConsole({
    uart,
    protocomm,
    logger: new Logger(log, 'test', new SecretRegistry(), 'debug'),
    endpointNames,
  });
  console_.start();
  let mark = 0;
  /** Output since the last call. */
  const fresh = () => {
    const text = uart.receivedText();
    const out = text.slice(mark);
    mark = text.length;
    return out;
  };
  return { uart, log, console: console_, protocomm, fresh };
}

const echoHex = (text: string) => Buffer.concat([Buffer.from('echo:'), Buffer.from(text, 'hex')]).toString('hex');

describe('console transport', () => {
  it('prints the prompt, echoes the line and answers "\\r\\n<lowercase hex>\\r\\n"', () => {
    const t = setup();
    expect(t.fresh()).toBe('\n>> ');
    t.uart.type('proto-ver 0 2D2d2d\r');
    expect(t.fresh()).toBe(`proto-ver 0 2D2d2d\r\n\r\n${echoHex('2d2d2d')}\r\n\n>> `);
    const fake = t.protocomm as FakeProtocomm;
    expect(fake.events).toEqual(['new 0', 'handle proto-ver 0']);
  });

  it('accepts CR, LF and CRLF line ends without extra prompts, and text split anywhere', () => {
    for (const end of ['\r', '\n', '\r\n']) {
      const t = setup();
      t.fresh();
      const input = `prov-session 1 0a0b${end}prov-session 1 0c${end}`;
      for (const ch of input) t.uart.type(ch);
      expect(t.fresh(), JSON.stringify(end)).toBe(
        `prov-session 1 0a0b\r\n\r\n${echoHex('0a0b')}\r\n\n>> prov-session 1 0c\r\n\r\n${echoHex('0c')}\r\n\n>> `,
      );
    }
  });

  it('an empty line or a blank line just prompts again', () => {
    const t = setup();
    t.fresh();
    t.uart.type('\r \t\r');
    expect(t.fresh()).toBe('\r\n\n>>  \t\r\n\n>> ');
    expect((t.protocomm as FakeProtocomm).calls).toEqual([]);
  });

  it('starts a new transport session only when the session id changes', () => {
    const t = setup();
    t.uart.type('proto-ver 0 00\rproto-ver 0 01\rproto-ver 7 02\rproto-ver 0 03\r');
    expect((t.protocomm as FakeProtocomm).events).toEqual([
      'new 0',
      'handle proto-ver 0',
      'handle proto-ver 0',
      'new 7',
      'handle proto-ver 7',
      'new 0',
      'handle proto-ver 0',
    ]);
  });

  it('accepts a 255-character line and discards a longer one with an error, never overflowing', () => {
    const t = setup();
    t.fresh();
    const exact = 'custom-data 00 ' + 'ab'.repeat(120);
    expect(exact.length).toBe(MAX_LINE_CHARS);
    t.uart.type(exact + '\r');
    expect((t.protocomm as FakeProtocomm).calls.length).toBe(1);
    t.fresh();
    for (const extra of [1, 2, 1000]) {
      t.uart.type(exact + 'c'.repeat(extra) + '\r');
      const out = t.fresh();
      expect(out).toContain(`error: line longer than ${MAX_LINE_CHARS} characters, discarded\r\n\n>> `);
    }
    expect((t.protocomm as FakeProtocomm).calls.length).toBe(1);
    t.uart.type('proto-ver 0 aa\r');
    expect(t.fresh()).toBe(`proto-ver 0 aa\r\n\r\n${echoHex('aa')}\r\n\n>> `);
  });

  it('rejects malformed lines with a message and sends nothing to protocomm', () => {
    const bad = [
      'proto-ver 0 abc', // odd length
      'proto-ver 0 zz',
      'proto-ver 0 0x12',
      'proto-ver 0',
      'proto-ver',
      'proto-ver 0 aa bb',
      'proto-ver abc aa',
      'proto-ver -1 aa',
      'proto-ver 4294967296 aa',
      'proto-ver 12345678901 aa',
      'proto-ver 1e3 aa',
    ];
    for (const line of bad) {
      const t = setup();
      t.fresh();
      t.uart.type(line + '\r');
      const out = t.fresh();
      expect(out, line).toMatch(/\r\nerror: [^\r\n]+\r\n\n>> $/);
      expect((t.protocomm as FakeProtocomm).events, line).toEqual([]);
    }
    expect(parseConsoleLine('proto-ver 4294967295 aa')).toMatchObject({ kind: 'request', sessionId: 4294967295 });
    expect(parseConsoleLine('  prov-ctrl\t 00012 0A  ')).toMatchObject({ kind: 'request', endpoint: 'prov-ctrl', sessionId: 12 });
  });

  it('prints nothing but the next prompt on a protocomm error', () => {
    const fake = new FakeProtocomm();
    fake.defaultMode = 'error';
    const t = setup(fake);
    t.fresh();
    t.uart.type('prov-session 0 0102\r');
    expect(t.fresh()).toBe('prov-session 0 0102\r\n\n>> ');
    fake.defaultMode = 'throw';
    t.uart.type('prov-session 0 0102\r');
    expect(t.fresh()).toBe('prov-session 0 0102\r\n\n>> ');
  });

  it('holds input while a reply is deferred, then processes it in order', () => {
    const fake = new FakeProtocomm();
    fake.defaultMode = 'defer';
    const t = setup(fake);
    t.fresh();
    t.uart.type('prov-scan 0 01\rprov-scan 0 02\r');
    expect(t.fresh()).toBe('prov-scan 0 01\r\n'); // the second line is not even echoed yet
    fake.release(new Uint8Array([0xab]));
    expect(t.fresh()).toBe('\r\nab\r\n\n>> prov-scan 0 02\r\n');
    fake.release(undefined);
    expect(t.fresh()).toBe('\n>> ');
    expect(fake.maxInFlight).toBe(1);
  });

  it('drops input beyond its RX buffer while busy, without crashing', () => {
    const fake = new FakeProtocomm();
    fake.defaultMode = 'defer';
    const t = setup(fake);
    t.uart.type('prov-scan 0 01\r');
    t.uart.type('x'.repeat(5000));
    fake.release(new Uint8Array([1]));
    t.uart.type('\r');
    expect(t.fresh()).toMatch(/error: line longer than 255 characters, discarded\r\n\n>> $/);
    expect(t.log.lines.some((l) => l.includes('bytes dropped'))).toBe(true);
  });

  it('stop() releases the UART, ends the session and ignores a late reply', () => {
    const fake = new FakeProtocomm();
    fake.defaultMode = 'defer';
    const t = setup(fake);
    t.uart.type('prov-scan 3 01\r');
    t.console.stop();
    expect(fake.events.at(-1)).toBe('close 3');
    const before = t.uart.receivedText();
    fake.release(new Uint8Array([1])); // MemoryUart throws on write after close: the console must not write
    t.uart.type('proto-ver 3 00\r');
    expect(t.uart.receivedText()).toBe(before);
    t.console.stop();
  });

  it('help lists the endpoints', () => {
    const t = setup(new FakeProtocomm(), () => ['proto-ver', 'prov-session']);
    t.fresh();
    t.uart.type('help\r');
    expect(t.fresh()).toBe('help\r\nusage: <endpoint> <session-id> <payload-hex>\r\nendpoints: proto-ver prov-session\r\n\n>> ');
  });

  it('with the manager\'s endpoint list: help lists it, an unknown name reaches nobody and starts no session', () => {
    const uart = new MemoryUart();
    const fake = new FakeProtocomm();
    const transport: ProvisioningTransport = new ProtocommConsole({ uart, protocomm: fake, logger: new Logger(new CaptureLog(), 't', new SecretRegistry()) });
    transport.start(STANDARD_ENDPOINTS);
    uart.type('no-such-ep 9 00\rhelp\rprov-ctrl 0 0800\r');
    const out = uart.receivedText();
    expect(out).toContain('no-such-ep 9 00\r\nerror: unknown endpoint\r\n\n>> ');
    expect(out).toContain('endpoints: prov-ctrl prov-scan prov-session prov-config proto-ver\r\n');
    expect(fake.events).toEqual(['new 0', 'handle prov-ctrl 0']);
    transport.stop();
  });

  it('never logs line contents', () => {
    const t = setup();
    const secret = Buffer.from('MySecretPassphrase').toString('hex');
    t.uart.type(`prov-config 0 ${secret}\r`);
    t.uart.type(`prov-config 0 ${secret}1\r`);
    t.log.assertNoSecret('MySecretPassphrase');
  });
});

describe('console transport with the real protocomm (pinned transcripts)', () => {
  function run(name: 'sec0' | 'sec1', security: SecurityConfig, random: Uint8Array[]) {
    const steps = VECTORS[name] as TranscriptStep[];
    const pc = createProtocomm({
      crypto: createNodeCryptoHost(scriptedRandom(random)),
      clock: createRealClock(),
      security,
    });
    for (const ep of ['prov-scan', 'prov-config']) {
      const mine = steps.filter((s) => s.endpoint === ep);
      let i = 0;
      pc.addEndpoint(ep, (_sid, req, reply) => {
        const s = mine[i++];
        if (Buffer.from(req).toString('hex') !== (s.request_plain_hex ?? s.request_hex)) return reply(undefined);
        reply(new Uint8Array(Buffer.from(s.response_plain_hex ?? s.response_hex, 'hex')));
      });
    }
    const t = setup(pc);
    t.fresh();
    for (const step of steps) {
      // esp_prov --transport console prints exactly this line with session id 0 (§9.3, §11.4).
      const line = `${step.endpoint} 0 ${step.request_hex}`;
      expect(line.length).toBeLessThanOrEqual(MAX_LINE_CHARS);
      t.uart.type(line + '\r');
      const out = t.fresh();
      const m = /^[^\r]*\r\n\r\n([0-9a-f]+)\r\n\n>> $/.exec(out);
      expect(m, `${name} ${step.endpoint}: ${JSON.stringify(out)}`).not.toBeNull();
      if (step.endpoint !== 'proto-ver') expect(m![1]).toBe(step.response_hex);
    }
  }

  it('sec0 session and Wi-Fi exchange', () => run('sec0', { version: 0 }, []));

  it('sec1 session and encrypted Wi-Fi exchange fit the 256-byte line', () => {
    const inputs = VECTORS.inputs;
    run('sec1', { version: 1, pop: inputs.pop }, [
      Buffer.from(inputs.device_x25519_private, 'hex'),
      Buffer.from(inputs.device_random, 'hex'),
    ]);
  });
});
