// Deliberately broken XS entry: throws while the bundle is evaluated. The harness must fail (foundation.test.ts).
import { test } from '../runtime';

test('never runs', () => {});
throw new RangeError('deliberate failure at load');
