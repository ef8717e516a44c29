// XS entry with deliberately failing tests: the harness must report each failure with its message.
import { assert, test } from '../runtime';

test('passes', () => {});
test('fails synchronously', () => {
  assert(false, 'deliberate');
});
test('fails asynchronously', async () => {
  await Promise.resolve();
  throw new TypeError('deliberate async');
});
