// The bench's air-time function: its GATT operation counts must equal what the ATT rules predict for the pinned
// message sizes (Write Request if <= MTU-3 else Prepare chunks of MTU-5 + Execute; Read + Read Blob per MTU-1).
import { describe, expect, it } from 'vitest';
import { loadTranscripts } from '../fixtures/vectors';
import { airTimeTable, measureProvisioningAirTime } from './airtime';

function predictedMessageOps(mtu: number, steps: { request_hex: string; response_hex: string }[]): number {
  let ops = 0;
  for (const s of steps) {
    const req = s.request_hex.length / 2;
    const rsp = s.response_hex.length / 2;
    ops += req <= mtu - 3 ? 1 : Math.ceil(req / (mtu - 5)) + 1;
    ops += Math.floor(rsp / (mtu - 1)) + 1;
  }
  return ops;
}

describe('provisioning air time', () => {
  it('matches the ATT arithmetic at MTU 23, 185 and 517 (sec2) and shrinks with the MTU', async () => {
    const steps = loadTranscripts().sec2_patch1;
    const table = await airTimeTable(30);
    expect(table.map((r) => r.mtu)).toEqual([23, 185, 517]);
    for (const r of table) {
      expect(r.gattOperations - r.discoveryOperations).toBe(predictedMessageOps(r.mtu, steps));
      // No PDU needs more than one 30 ms event at 1M PHY, so time = 30 ms per request/response.
      expect(r.airTimeMs).toBe(30 * r.gattOperations);
      expect(r.messages).toBe(steps.length);
    }
    expect(table[0].gattOperations).toBeGreaterThan(table[1].gattOperations);
    expect(table[1].gattOperations).toBeGreaterThan(table[2].gattOperations);
    // sec2 Cmd0 is 406 B: 23 prepares at MTU 23, one Write Request at MTU 517.
    expect(table[0].byOpcode.PREPARE_WRITE_REQ).toBeGreaterThanOrEqual(23);
    expect(table[2].byOpcode.PREPARE_WRITE_REQ ?? 0).toBe(0);
  });

  it('scales with the connection interval', async () => {
    const fast = await measureProvisioningAirTime({ mtu: 185, connectionIntervalMs: 15, scheme: 'sec1' });
    const slow = await measureProvisioningAirTime({ mtu: 185, connectionIntervalMs: 45, scheme: 'sec1' });
    expect(fast.gattOperations).toBe(slow.gattOperations);
    expect(slow.airTimeMs).toBe(fast.airTimeMs * 3);
  });
});
