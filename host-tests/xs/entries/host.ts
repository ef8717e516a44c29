// XS entry of the foundation suite (issue 2): a round trip through the XS provider (firmware/host/xsnap) to the Node
// simulator hosts: NVS, crypto (SHA-256, RFC 7748 X25519, AES-CTR streaming), typed errors, device/log, and a timer
// driven by the Node virtual clock.
import { CryptoHostError, X25519_BASEPOINT } from '../../../firmware/host/crypto';
import { NvsError } from '../../../firmware/host/nvs';
import { concat, fromHex, toHex } from '../../../firmware/util/bytes';
import { assert, assertBytes, assertEqual, assertThrows, channel, emit, test, xsHost } from '../runtime';

const hex = (text: string): Uint8Array => {
  const bytes = fromHex(text.replace(/\s+/g, ''));
  if (!bytes) throw new Error('bad hex constant');
  return bytes;
};

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

test('nvs write and read back every type', () => {
  const nvs = xsHost().nvs;
  const ns = nvs.open('xs-test', 'readwrite');
  ns.setU8('u8', 255);
  ns.setU32('u32', 4294967295);
  ns.setI32('i32', -2147483648);
  ns.setString('str', 'Wi-Fi ✓ 🙂');
  ns.setBlob('blob', ALL_BYTES);
  ns.setBlob('empty', new Uint8Array(0));
  ns.commit();
  ns.close();
  const ro = nvs.open('xs-test', 'readonly');
  assertEqual(ro.getU8('u8'), 255, 'u8');
  assertEqual(ro.getU32('u32'), 4294967295, 'u32');
  assertEqual(ro.getI32('i32'), -2147483648, 'i32');
  assertEqual(ro.getString('str'), 'Wi-Fi ✓ 🙂', 'string');
  assertBytes(ro.getBlob('blob')!, ALL_BYTES, 'blob');
  assertBytes(ro.getBlob('empty')!, new Uint8Array(0), 'empty blob');
  assertEqual(ro.getU8('missing'), undefined, 'missing key');
  const readOnly = assertThrows(() => ro.setU8('u8', 1), 'write on a readonly handle');
  assert(readOnly instanceof NvsError && readOnly.code === 'READ_ONLY', `READ_ONLY, got ${readOnly.name} ${String((readOnly as NvsError).code)}`);
  const mismatch = assertThrows(() => ro.getString('u8'), 'type mismatch');
  assert(mismatch instanceof NvsError && mismatch.code === 'TYPE_MISMATCH', `TYPE_MISMATCH, got ${mismatch.message}`);
  const tooLong = assertThrows(() => nvs.open('a-namespace-too-long', 'readwrite'), 'long namespace');
  assert(tooLong instanceof NvsError && tooLong.code === 'KEY_TOO_LONG', `KEY_TOO_LONG, got ${tooLong.message}`);
  ro.close();
});

test('sha256 of "abc" (FIPS 180-2 B.1)', () => {
  assertBytes(
    xsHost().crypto.sha256(new Uint8Array([0x61, 0x62, 0x63])),
    hex('ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad'),
    'SHA-256("abc")',
  );
});

test('x25519 RFC 7748 §6.1', () => {
  const crypto = xsHost().crypto;
  const alicePriv = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const alicePub = hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
  const bobPriv = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
  const bobPub = hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
  const shared = hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  assertBytes(crypto.x25519(alicePriv, X25519_BASEPOINT), alicePub, "Alice's public key");
  assertBytes(crypto.x25519(bobPriv, X25519_BASEPOINT), bobPub, "Bob's public key");
  assertBytes(crypto.x25519(alicePriv, bobPub), shared, 'shared secret (Alice)');
  assertBytes(crypto.x25519(bobPriv, alicePub), shared, 'shared secret (Bob)');
  const bad = assertThrows(() => crypto.x25519(alicePriv.subarray(0, 31), bobPub), 'short key');
  assert(bad instanceof CryptoHostError && bad.code === 'INVALID_ARGUMENT', `INVALID_ARGUMENT, got ${bad.name}: ${bad.message}`);
});

test('aes-ctr stream continues across partial blocks; closed stream throws CLOSED', () => {
  const crypto = xsHost().crypto;
  const key = ALL_BYTES.subarray(0, 32);
  const counter = ALL_BYTES.subarray(32, 48);
  const data = ALL_BYTES.subarray(0, 100);
  const whole = crypto.aesCtr(key, counter);
  const oneShot = whole.update(data);
  whole.close();
  const pieces = crypto.aesCtr(key, counter);
  const streamed = concat(pieces.update(data.subarray(0, 7)), pieces.update(data.subarray(7, 40)), pieces.update(data.subarray(40)));
  assertBytes(streamed, oneShot, 'streamed = one shot');
  pieces.close();
  const closed = assertThrows(() => pieces.update(data), 'update after close');
  assert(closed instanceof CryptoHostError && closed.code === 'CLOSED', `CLOSED, got ${closed.message}`);
  emit(toHex(oneShot));
});

test('device identity and log line', () => {
  const host = xsHost();
  const mac = host.device.mac();
  host.log.write('info', 'xs-test', `mac ${toHex(mac)} chip ${host.device.chipModel()}`);
  emit({ mac, chip: host.device.chipModel(), monotonic: host.clock.monotonicMs() });
});

test('timer expiry from the Node virtual clock reaches the firmware', async () => {
  const host = xsHost();
  const order: string[] = [];
  const fired = new Promise<void>((resolve) =>
    host.timers.setTimeout(() => {
      order.push('timer');
      resolve();
    }, 50),
  );
  // The Node side starts advancing its virtual clock during this request; the expiry arrives as a later command.
  channel.request('test.advance', [50]);
  order.push('after advance');
  await fired;
  emit(order);
});
