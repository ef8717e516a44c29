// CLI for the test PKI (tools/certs/pki.ts):
//   tsx tools/certs/make.ts --out DIR [--host NAME]... [--expired] [--other-ca] [--rsa] [--days N]
// Writes ca.crt/.key, server.crt/.key and, on request, server-expired.* and other-ca.* / server-other-ca.*.
import { parseCommandLine } from '../common/cli';
import { generateTestPki, writeTestPki } from './pki';

const USAGE = 'usage: tsx tools/certs/make.ts --out DIR [--host NAME]... [--expired] [--other-ca] [--rsa] [--days N]';

async function main(): Promise<number> {
  const values = parseCommandLine(
    {
      out: { type: 'string' },
      host: { type: 'string', multiple: true },
      expired: { type: 'boolean', default: false },
      'other-ca': { type: 'boolean', default: false },
      rsa: { type: 'boolean', default: false },
      days: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (typeof values === 'number') return values;
  if (!values.out) {
    console.error(`--out is required\n${USAGE}`);
    return 2;
  }
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1)) {
    console.error('--days must be a positive integer');
    return 2;
  }
  const pki = await generateTestPki({
    hosts: values.host,
    expired: values.expired,
    otherCa: values['other-ca'],
    keyType: values.rsa ? 'rsa' : 'ec',
    days,
  });
  for (const file of writeTestPki(values.out, pki)) console.log(file);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
