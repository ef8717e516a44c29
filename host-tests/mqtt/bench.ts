// Encode+decode micro-benchmark for the MQTT codec (firmware/mqtt/codec.ts) next to mqtt-packet, in the same run on
// the same messages: typical OpenRemote device traffic (attribute writes at QoS 0/1, their PUBACKs, inbound
// attributevalue events, PINGREQ). Exported for the lead's `npm run bench`; `npx tsx host-tests/mqtt/bench.ts` runs it.
import * as mqttPacket from 'mqtt-packet';
import { MqttDecoder, encodePacket, type MqttPacket } from '../../firmware/mqtt/codec';
import { toTheirs } from './oracle';

export interface MqttBenchResult {
  name: string;
  oursMessagesPerSecond: number;
  mqttPacketMessagesPerSecond: number;
  ratio: number;
  goal: number;
}

const enc = (s: string) => new TextEncoder().encode(s);

function workload(): MqttPacket[] {
  const asset = '4cdWlxEvmDRBBDEuVyJAtM';
  return [
    { type: 'publish', topic: `master/esp32-a1b2c3/writeattributevalue/temperature/${asset}`, payload: enc('21.5'), qos: 1, dup: false, retain: false, packetId: 17 },
    { type: 'puback', packetId: 17 },
    { type: 'publish', topic: `master/esp32-a1b2c3/attributevalue/setpoint/${asset}`, payload: enc('"eco"'), qos: 0, dup: false, retain: false },
    { type: 'publish', topic: `master/esp32-a1b2c3/writeattribute/humidity/${asset}`, payload: enc('{"value":48.25,"timestamp":1795257600000}'), qos: 1, dup: false, retain: false, packetId: 18 },
    { type: 'pingreq' },
  ];
}

function timeIt(budgetMs: number, body: () => number): number {
  const start = performance.now();
  let messages = 0;
  while (performance.now() - start < budgetMs) messages += body();
  return messages / ((performance.now() - start) / 1000);
}

export function benchMqttCodec(options: { budgetMs?: number } = {}): MqttBenchResult {
  const budgetMs = options.budgetMs ?? 1500;
  const ours = workload();
  const theirs = ours.map(toTheirs);
  const batch = 200;

  // Each round: encode every message, then feed the bytes to a long-lived streaming parser (as a socket would).
  const decoder = new MqttDecoder();
  const roundOurs = (): number => {
    let n = 0;
    for (let k = 0; k < batch; k++) {
      for (const p of ours) n += decoder.push(encodePacket(p)).packets.length;
    }
    return n;
  };
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  let parsed = 0;
  parser.on('packet', () => parsed++);
  const roundTheirs = (): number => {
    parsed = 0;
    for (let k = 0; k < batch; k++) {
      for (const p of theirs) parser.parse(mqttPacket.generate(p as never, { protocolVersion: 4 }));
    }
    return parsed;
  };
  // Warm both up (JIT) before measuring, then alternate to spread noise from other processes.
  timeIt(200, roundOurs);
  timeIt(200, roundTheirs);
  const o1 = timeIt(budgetMs / 2, roundOurs);
  const t1 = timeIt(budgetMs / 2, roundTheirs);
  const o2 = timeIt(budgetMs / 2, roundOurs);
  const t2 = timeIt(budgetMs / 2, roundTheirs);
  const o = (o1 + o2) / 2;
  const t = (t1 + t2) / 2;
  return { name: 'mqtt codec encode+decode', oursMessagesPerSecond: Math.round(o), mqttPacketMessagesPerSecond: Math.round(t), ratio: o / t, goal: 1.5 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchMqttCodec();
  console.log(`${r.name}: ours ${r.oursMessagesPerSecond} msg/s, mqtt-packet ${r.mqttPacketMessagesPerSecond} msg/s, ratio ${r.ratio.toFixed(2)} (goal >= ${r.goal})`);
}
