// Debian packages the tests need, installed once before vitest starts (npm test): two test workers running apt-get
// at the same time would fight over the dpkg lock. A fresh CI machine may have no or a stale package index, so a
// failed install is retried after `apt-get update`. Needs root (CI runs as root) and the Debian mirror.
// - libmbedtls-dev: the C hosts' tests (tools/native/test.sh) build against Debian's mbedTLS/PSA.
// - mosquitto: the real broker of host-tests/mqtt/client-mosquitto.test.ts.
// - libglib2.0-dev, pkg-config: the bindings' syntax check against the Moddable simulator's headers.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = [
  { name: 'libmbedtls-dev', present: () => existsSync('/usr/include/psa/crypto.h') && existsSync('/usr/include/mbedtls/x509.h') },
  { name: 'mosquitto', present: () => existsSync('/usr/sbin/mosquitto') && existsSync('/usr/bin/mosquitto_passwd') },
  // tools/native/test.sh syntax-checks the xsmc bindings in the Moddable simulator's mode, whose headers need glib.
  { name: 'libglib2.0-dev', present: () => existsSync('/usr/include/glib-2.0/glib.h') },
  { name: 'pkg-config', present: () => existsSync('/usr/bin/pkg-config') },
];

const missing = PACKAGES.filter((p) => !p.present()).map((p) => p.name);
if (missing.length === 0) {
  console.log('system packages: present');
  process.exit(0);
}

const sudo = process.getuid && process.getuid() !== 0 ? ['sudo'] : [];
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const apt = (...args) => {
  const [cmd, ...rest] = [...sudo, 'apt-get', '-o', 'DPkg::Lock::Timeout=300', ...args];
  return spawnSync(cmd, rest, { stdio: 'inherit', env, timeout: 600_000 });
};
console.log(`system packages: installing ${missing.join(', ')}`);
let result = apt('install', '-y', '-qq', '--no-install-recommends', ...missing);
if (result.status !== 0) {
  console.log('system packages: install failed; updating the package index and retrying');
  apt('update', '-qq');
  result = apt('install', '-y', '-qq', '--no-install-recommends', ...missing);
}
const still = PACKAGES.filter((p) => missing.includes(p.name) && !p.present()).map((p) => p.name);
if (still.length > 0) {
  console.error(`system packages: could not install ${still.join(', ')} (apt-get exit ${result.status})`);
  process.exit(1);
}
console.log('system packages: installed');
