// Advertising-data parser for the simulator's scan results and for tools playing the phone (Core Supplement
// Part A: a sequence of length-type-data structures). Never throws: a truncated structure ends the parse and is
// reported as malformed, as a phone's scanner would skip it.
import { uuidToString } from './att';

export interface AdStructure {
  type: number;
  data: Uint8Array;
}

export interface ParsedAdvertisement {
  structures: AdStructure[];
  malformed: boolean;
  flags?: number;
  /** Complete (0x09) or shortened (0x08) local name. */
  localName?: string;
  /** 16-bit (0x02/0x03) and 128-bit (0x06/0x07) service UUIDs as text, in order of appearance. */
  serviceUuids: string[];
  manufacturerData?: Uint8Array;
}

export function parseAdStructures(...payloads: Uint8Array[]): ParsedAdvertisement {
  const out: ParsedAdvertisement = { structures: [], malformed: false, serviceUuids: [] };
  for (const data of payloads) {
    let at = 0;
    while (at < data.length) {
      const length = data[at];
      if (length === 0) break; // early terminator: the rest is padding
      if (at + 1 + length > data.length) {
        out.malformed = true;
        break;
      }
      const type = data[at + 1];
      const body = data.slice(at + 2, at + 1 + length);
      out.structures.push({ type, data: body });
      at += 1 + length;
      switch (type) {
        case 0x01:
          if (body.length >= 1) out.flags = body[0];
          break;
        case 0x08:
        case 0x09:
          if (type === 0x09 || out.localName === undefined) out.localName = new TextDecoder().decode(body);
          break;
        case 0x02:
        case 0x03:
          for (let i = 0; i + 2 <= body.length; i += 2) out.serviceUuids.push(uuidToString(body.slice(i, i + 2)));
          if (body.length % 2) out.malformed = true;
          break;
        case 0x06:
        case 0x07:
          for (let i = 0; i + 16 <= body.length; i += 16) out.serviceUuids.push(uuidToString(body.slice(i, i + 16)));
          if (body.length % 16) out.malformed = true;
          break;
        case 0xff:
          out.manufacturerData = body;
          break;
      }
    }
  }
  return out;
}
