// Example: a representative OpenRemote provisioning run (openremote.md §1.5, unified-provisioning.md §6–§7) fed
// through the SequenceRecorder on a virtual clock, written to build/diagram-example.{mmd,svg}.
// Run: npx tsx tools/diagram/example.ts [output base path]. The timings are illustrative, not measured.
import { fileURLToPath } from 'node:url';
import { writeDiagram } from './index';
import { SequenceRecorder } from './recorder';

/** The participants of an end-to-end run, in column order. */
export const RUN_PARTICIPANTS = [
  { id: 'phone', label: 'Phone app (tools/prov)' },
  { id: 'device', label: 'Device (XS)' },
  { id: 'backend', label: 'Backend (HTTP)' },
  { id: 'broker', label: 'MQTT broker' },
  { id: 'user', label: 'User' },
];

/** Records the example run. Deterministic: the clock only moves when the script says so. */
export function recordExampleRun(): SequenceRecorder {
  let now = 0;
  const rec = new SequenceRecorder(RUN_PARTICIPANTS, { clock: () => now, title: 'OpenRemote provisioning (example run)' });
  const wait = (ms: number) => {
    now += ms;
  };
  const rpc = (request: string, reply: string, ms: number, opts: { key?: string; replyKey?: string; from?: string; to?: string } = {}) => {
    const from = opts.from ?? 'phone';
    const to = opts.to ?? 'device';
    rec.request(from, to, request, opts.key ? { key: opts.key } : {});
    wait(ms);
    rec.response(to, from, reply, opts.replyKey ? { key: opts.replyKey } : {});
    wait(3);
  };
  // The app generates these; the recorder masks them wherever a caller lets one slip into a label.
  const wifiPassphrase = 'correct-horse-battery';
  const mqttPassword = 'q7Rk2mZp9XcV4bNw';
  rec.secret(wifiPassphrase);
  rec.secret(mqttPassword);

  rec.group('BLE provisioning (Espressif Unified Provisioning, sec2)', () => {
    rec.note(['phone', 'device'], 'GATT connect to PROV_3C71BF, MTU 185');
    rpc('proto-ver: "esp"', 'v1.1, sec_ver 2, cap wifi_scan', 41);
    rpc('prov-session SessionCmd0 (user UNUSED, client key A)', 'SessionResp0 (salt, device key B)', 180);
    rpc('prov-session SessionCmd1 (client proof M1)', 'SessionResp1 (device proof M2, IV)', 95);
    rec.note(['phone', 'device'], 'session keys agreed; PoP never leaves either side');
    rpc('prov-scan ScanStart (blocking, 120 ms/channel)', 'ScanStart OK', 1720);
    rpc('prov-scan ScanStatus', 'finished, 6 APs', 38);
    rpc('prov-scan ScanResult [0..5]', 'HomeNet -48 dBm WPA2, Guest -61 dBm, …', 52);
    rpc(`prov-config SetConfig ssid "HomeNet" passphrase ${wifiPassphrase}`, 'SetConfig OK', 64);
    rpc('prov-config ApplyConfig', 'ApplyConfig OK', 40);
    for (let i = 0; i < 9; i++) rpc('prov-config GetStatus', 'Connecting', 210, { replyKey: 'Wi-Fi status' });
    rpc('prov-config GetStatus', 'Connected 192.168.1.23', 44, { replyKey: 'Wi-Fi status' });
  });

  rec.group('OpenRemote config channel (or-cfg)', () => {
    rpc('or-cfg DeviceInfo (id 0)', 'device_id ESP32-3C71BF, model_name or-esp32', 48);
    rpc('POST /rest/device {modelName, deviceId, password}', '200 {assetId 4gT9qLmZpXv2N8bR1cDeFa}', 160, { to: 'backend' });
    rpc(
      `or-cfg OpenRemoteConfig (id 1) mqtts://demo.local:8883 realm master user esp32-3c71bf password ${mqttPassword}`,
      'SUCCESS (stored in NVS, connecting)',
      70,
    );
    let id = 2;
    const poll = (status: string) =>
      rpc(`or-cfg BackendConnectionStatus (id ${id++})`, status, 45, { replyKey: 'BackendConnectionStatus' });
    for (let i = 0; i < 6; i++) poll('CONNECTING');
    rec.group('device → broker, while the app keeps polling', () => {
      rec.request('device', 'broker', 'TLS ClientHello (SNI demo.local), verify chain');
      wait(240);
      rec.response('broker', 'device', 'TLS established (TLS 1.2, ECDHE-ECDSA-AES128-GCM)');
      wait(5);
      rec.request('device', 'broker', `CONNECT client esp32-3c71bf user master:esp32-3c71bf password ${mqttPassword} clean keepalive 60`);
      wait(620);
      rec.note('broker', 'Keycloak token for the\nservice user (≤ 10 s)');
      rec.response('broker', 'device', 'CONNACK accepted (rc 0)');
      wait(8);
      rec.request('device', 'broker', 'SUBSCRIBE master/esp32-3c71bf/attributevalue/+/4gT9qLmZpXv2N8bR1cDeFa');
      wait(30);
      rec.response('broker', 'device', 'SUBACK [QoS 0]');
    });
    for (let i = 0; i < 30; i++) poll('CONNECTING');
    poll('CONNECTED');
    rpc('or-cfg ExitProvisioning (id 39)', 'ExitProvisioning OK', 40);
    rec.note('device', 'stop provisioning after\ncleanup delay; free BT memory');
  });

  rec.group('MQTT (OpenRemote attribute topics)', () => {
    for (const [attr, value] of [['temperature', '21.5'], ['humidity', '48'], ['firmwareVersion', '"0.1.0"']] as const) {
      rec.event('device', 'broker', `PUBLISH master/esp32-3c71bf/writeattributevalue/${attr}/4gT9… ${value}`);
      wait(12);
    }
    wait(4000);
    rec.event('user', 'broker', 'write attribute setpoint = 22 (Manager UI)');
    wait(30);
    rec.event('broker', 'device', 'PUBLISH …/attributevalue/setpoint/4gT9… 22');
    wait(6);
    rec.note('device', 'apply setpoint = 22');
    rec.event('device', 'broker', 'PUBLISH …/writeattributevalue/setpoint/4gT9… 22 (echo)');
    wait(25);
    rec.message('broker', 'user', 'attribute event setpoint = 22 <device confirmed>', { kind: 'event' });
  });
  return rec;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const base = process.argv[2] ?? 'build/diagram-example';
  const paths = writeDiagram(recordExampleRun(), base);
  console.log(`wrote ${paths.mmd} and ${paths.svg}`);
}
