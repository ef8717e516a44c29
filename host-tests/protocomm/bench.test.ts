// The bench hook works on both engines and reports a meter per step on XS (figures themselves are for
// `npm run bench`; here only their shape and sanity are checked).
import { describe, expect, it } from 'vitest';
import { benchHandshake } from './bench';

describe('handshake bench hook', () => {
  it('runs the sec2 patch 1 handshake step by step on Node and on XS', async () => {
    const node = await benchHandshake('sec2_patch1', 'node');
    const xs = await benchHandshake('sec2_patch1', 'xs');
    expect(node.map((f) => f.endpoint)).toEqual(['proto-ver', 'prov-session', 'prov-session', 'prov-scan']);
    expect(xs.map((f) => [f.step, f.requestBytes, f.responseBytes])).toEqual(node.map((f) => [f.step, f.requestBytes, f.responseBytes]));
    expect(node[1].requestBytes).toBe(406); // §12.4 exact sizes
    expect(node[1].responseBytes).toBe(416);
    for (const f of xs) {
      expect(f.xs?.compute).toBeGreaterThan(0);
      expect(f.xs?.heapSlots).toBeGreaterThan(0);
    }
    // Cmd0 does the SRP work (BigInt multiply/reduce on XS plus hex conversions): it costs more than proto-ver.
    expect((xs[1].xs as { compute: number }).compute).toBeGreaterThan((xs[0].xs as { compute: number }).compute);
  });
});
