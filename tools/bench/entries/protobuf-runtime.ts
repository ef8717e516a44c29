// Bench entry: the protobufjs/minimal runtime alone (Reader, Writer, util), to see its share of the firmware bundle.
import $protobuf from 'protobufjs/minimal.js';

(globalThis as unknown as { keep: unknown }).keep = [$protobuf.Reader, $protobuf.Writer, $protobuf.util];
