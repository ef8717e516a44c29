// Fuzzing the BLE stack model and the transport: random ATT PDU sequences (structured and raw) against the
// simulated NimBLE server with the firmware transport behind it; the advertising-data parser; the link protocol's
// JSON lines. Budget ~100k inputs in CI; FUZZ_BUDGET=<n> scales it.
import * as net from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAdStructures } from '../../tools/sim/ble/ad';
import { ATT_OP, build } from '../../tools/sim/ble/att';
import { startBleLinkServer } from '../../tools/sim/ble/link-server';
import { SimBlePeripheral } from '../../tools/sim/ble/peripheral';
import { fuzzBudget } from '../fixtures/fuzz';
import { rig } from './helpers/inproc';

const BUDGET = fuzzBudget(100_000);

const REQUEST_OPS: number[] = [0x02, 0x04, 0x06, 0x08, 0x0a, 0x0c, 0x0e, 0x10, 0x12, 0x16, 0x18];
const COMMAND_OPS: number[] = [0x52, 0xd2, 0x1e];

/** A PDU: mostly structured around the real handle space, sometimes raw garbage. */
const pduArb = (maxLen: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ h: fc.integer({ min: 0, max: 40 }), off: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 0xffff })), len: fc.integer({ min: 0, max: 30 }) }).map(({ h, off, len }) => build.prepareWrite(h, off, new Uint8Array(len).fill(0x41))) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 }).map((f) => build.executeWrite(f)) },
    { weight: 2, arbitrary: fc.record({ h: fc.integer({ min: 0, max: 40 }), len: fc.integer({ min: 0, max: 25 }) }).map(({ h, len }) => build.write(h, new Uint8Array(len).fill(0x42))) },
    { weight: 2, arbitrary: fc.record({ h: fc.integer({ min: 0, max: 40 }), off: fc.integer({ min: 0, max: 700 }) }).map(({ h, off }) => (off % 3 ? build.readBlob(h, off) : build.read(h))) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((m) => build.exchangeMtu(m)) },
    { weight: 1, arbitrary: fc.record({ a: fc.integer({ min: 0, max: 0xffff }), b: fc.integer({ min: 0, max: 0xffff }) }).map(({ a, b }) => build.findInformation(a, b)) },
    { weight: 1, arbitrary: fc.record({ a: fc.integer({ min: 0, max: 50 }), b: fc.integer({ min: 0, max: 0xffff }), t: fc.constantFrom(0x2800, 0x2801, 0x2803, 0x2901, 0x1234) }).map(({ a, b, t }) => (t === 0x2800 || t === 0x2801 ? build.readByGroupType(a, b, Uint8Array.of(t & 0xff, t >> 8)) : build.readByType(a, b, Uint8Array.of(t & 0xff, t >> 8)))) },
    { weight: 2, arbitrary: fc.uint8Array({ minLength: 0, maxLength: maxLen }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...REQUEST_OPS, ...COMMAND_OPS), fc.uint8Array({ maxLength: maxLen })).map(([op, rest]) => Uint8Array.of(op, ...rest)) },
  );

/** A response is well formed: the request's response opcode, or a 5-byte Error Response naming the request.
 * Plain throws (not expect) keep the per-PDU cost low. */
function checkResponse(request: Uint8Array, response: Uint8Array | undefined, mtu: number): void {
  const fail = (why: string) => {
    throw new Error(`${why}: request ${Buffer.from(request).toString('hex')} -> ${response ? Buffer.from(response).toString('hex') : 'none'}`);
  };
  if (!response) {
    // Only commands, empty PDUs and confirmations go unanswered.
    if (!(request.length === 0 || (request[0] & 0x40) !== 0 || request[0] === ATT_OP.HANDLE_VALUE_CFM)) fail('request left unanswered');
    return;
  }
  if (response.length > Math.max(mtu, 23)) fail('response longer than the MTU');
  if (response[0] === ATT_OP.ERROR_RSP) {
    if (response.length !== 5 || response[1] !== request[0] || response[4] === 0) fail('malformed Error Response');
  } else if (response[0] !== request[0] + 1) {
    fail('wrong response opcode');
  }
}

describe('fuzz', () => {
  it('random ATT PDU sequences never crash, always answer well-formed, and never corrupt the next message', async () => {
    const r = await rig({ mtu: 23 });
    const seqLength = 50;
    let pdus = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(pduArb(40), { minLength: 1, maxLength: seqLength, size: 'max' }), fc.integer({ min: 1, max: 300 }), async (sequence, messageSize) => {
        const firstCall = r.protocomm.calls.length;
        for (const pdu of sequence) {
          const mtuBefore = r.link.mtu;
          const response = await r.link.request(pdu);
          pdus++;
          checkResponse(pdu, response, Math.max(mtuBefore, r.link.mtu));
        }
        // Every request protocomm ever saw respected the attribute maximum.
        for (const c of r.protocomm.calls.slice(firstCall)) expect(c.length).toBeLessThanOrEqual(c.endpoint === 'custom-data' ? 4096 : 512);
        // A phone recovering from an aborted operation cancels its queue, then sends a whole message.
        await r.gatt.executeWrite(0);
        const message = Uint8Array.from({ length: messageSize }, (_, i) => (i * 3 + messageSize) & 0xff);
        const before = r.protocomm.calls.length;
        if (messageSize <= (r.link.mtu - 5) * 64) {
          await r.gatt.writeLong(r.handles['custom-data'], message);
          expect(r.protocomm.calls.length).toBe(before + 1);
          expect(r.protocomm.calls.at(-1)!.length).toBe(messageSize);
          const echo = await r.gatt.readLong(r.handles['custom-data']);
          expect(echo.subarray(12)).toEqual(message);
        }
        expect(r.peripheral.stats.firmwareExceptions).toBe(0);
      }),
      // ~25 random PDUs plus ~25 for the recovery message per run: BUDGET PDUs in all.
      { numRuns: Math.max(20, Math.floor(BUDGET / seqLength)) },
    );
    expect(pdus).toBeGreaterThan(BUDGET * 0.4);
  }, 120_000);

  it('the advertising-data parser never throws and stays within its input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 31 }), fc.uint8Array({ maxLength: 31 }), (a, b) => {
        const parsed = parseAdStructures(a, b);
        const total = parsed.structures.reduce((sum, s) => sum + s.data.length + 2, 0);
        expect(total).toBeLessThanOrEqual(a.length + b.length);
      }),
      { numRuns: Math.floor(BUDGET / 5) },
    );
  });

  it('the link protocol answers garbage lines with errors and keeps serving', async () => {
    const peripheral = new SimBlePeripheral();
    const server = await startBleLinkServer(peripheral);
    const socket = net.createConnection({ port: server.port, host: '127.0.0.1' });
    await new Promise((r) => socket.once('connect', r));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    const lines = fc.sample(
      fc.oneof(
        fc.string({ maxLength: 60 }).map((s) => s.replace(/\n/g, ' ')),
        fc.record({ id: fc.integer(), op: fc.constantFrom('att', 'read', 'write', 'connect', 'bogus', 'prepareWrite', 'executeWrite', 'scan'), handle: fc.anything(), value: fc.oneof(fc.string(), fc.integer()), pdu: fc.string(), mtu: fc.anything() }).map((o) => JSON.stringify(o)),
      ),
      Math.floor(BUDGET / 100),
    );
    const sent = lines.filter((l) => l.trim().length > 0);
    // An unknown op is queued behind every earlier request (link-level ops like scan are answered at once).
    socket.write(sent.join('\n') + '\n' + JSON.stringify({ id: 'last', op: 'no-such-op' }) + '\n');
    for (let i = 0; i < 5000 && !received.includes('"id":"last"'); i++) await new Promise((r) => setTimeout(r, 2));
    const replies = received.trim().split('\n').map((l) => JSON.parse(l));
    expect(replies.at(-1)).toMatchObject({ id: 'last', ok: false, error: { message: 'unknown op "no-such-op"' } });
    expect(replies.length).toBe(sent.length + 1);
    socket.destroy();
    await server.close();
  }, 60_000);
});
