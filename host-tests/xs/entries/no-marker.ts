// XS entry that answers the harness commands but never sends the completion marker (as a script that stopped
// half-way would): the harness must refuse the run. Deliberately does not use runtime.ts.
import { encodeValue } from '../../../firmware/host/xsnap/codec';

const g = globalThis as unknown as { handleCommand: (message: ArrayBuffer) => ArrayBuffer };
// Every command (harness.list, harness.finish) gets an empty list back.
g.handleCommand = () => encodeValue({ r: [] }).slice().buffer as ArrayBuffer;
