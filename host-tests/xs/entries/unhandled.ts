// XS entry whose test passes but leaves a rejected promise nobody handles: XS reports it through console.error,
// which the runtime forwards; the harness must fail the run.
import { test } from '../runtime';

test('passes but leaks a rejection', () => {
  void Promise.reject(new Error('late failure'));
});
