#!/usr/bin/env bash
# Host tests of the native C hosts (issue 9): builds every core with -Wall -Wextra -Werror against the ESP-IDF
# mocks in native/mocks and Debian's mbedTLS 2.28 (PSA), runs the C unit tests under AddressSanitizer and
# UndefinedBehaviorSanitizer, and compiles the xsmc bindings and the FreeRTOS shim with -fsyntax-only against the
# XS headers shipped in @agoric/xsnap (+ a stand-in xsHost.h) so a typo in a binding fails CI.
# The bindings are also syntax-checked in the SDK's lin (simulator) platform mode. Installs libmbedtls-dev and
# libglib2.0-dev with apt-get when missing (CI runs as root on a fresh Debian machine).
# Exit status: non-zero on any build or test failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="${NATIVE_BUILD_DIR:-$root/build/native}"
mkdir -p "$out"
CC="${CC:-gcc}"
# One run at a time (vitest may start this from two test files at once): apt/dpkg and the outputs are shared.
exec 9>"$out/.lock"
flock 9

have_mbedtls() { [ -f /usr/include/psa/crypto.h ] && [ -f /usr/include/mbedtls/x509.h ]; }
# GLib/GIO headers: the SDK's lin_xs.h (simulator platform) includes them; used by the lin-mode syntax check below.
have_gio() { pkg-config --exists gio-2.0 2>/dev/null; }
need=()
have_mbedtls || need+=(libmbedtls-dev)
have_gio || need+=(libglib2.0-dev pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  echo "native: ${need[*]} missing; installing with apt-get"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  # `apt-get update` only when a package is unknown to the local index (fresh machine), not on every run.
  for p in "${need[@]}"; do
    if ! apt-cache show "$p" >/dev/null 2>&1; then $SUDO apt-get update -qq; break; fi
  done
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
  have_mbedtls || { echo "native: libmbedtls-dev still missing" >&2; exit 1; }
  have_gio || { echo "native: libglib2.0-dev still missing" >&2; exit 1; }
fi

# The pinned vectors compiled into the crypto test must match the JSON files (when those are present).
node tools/native/gen-vectors.mjs --check

CFLAGS=(-std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer
        -fsanitize=address,undefined -fno-sanitize-recover=all)
MOCKS=(-Inative/mocks/include)
XS=(-Inode_modules/@agoric/xsnap/moddable/xs/includes -Inative/mocks/xs)

build() { # name, sources..., then -- and libraries
  local name="$1"; shift
  local srcs=() libs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do srcs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  libs=("$@")
  echo "native: build $name"
  # Build to a private name, then rename: a concurrent run (or a test executing the binary) never sees half a file.
  "$CC" "${CFLAGS[@]}" "${MOCKS[@]}" "${srcs[@]}" -o "$out/$name.tmp.$$" "${libs[@]}" -lpthread
  mv -f "$out/$name.tmp.$$" "$out/$name"
}

build test_crypto native/tests/test_crypto.c native/crypto/nc_crypto.c -- -lmbedcrypto
build test_nvs native/tests/test_nvs.c native/nvs/nvs_core.c native/mocks/mock_nvs.c
build test_ble native/tests/test_ble.c native/ble/ble_core.c native/ble/ble_table.c native/mocks/mock_nimble.c native/common/nc_os_posix.c
build test_wifi native/tests/test_wifi.c native/wifi/wifi_core.c native/mocks/mock_wifi.c
build test_socket native/tests/test_socket.c native/socket/socket_core.c native/mocks/mock_esp_tls.c native/common/nc_os_posix.c -- -lmbedx509 -lmbedcrypto
build test_wifi_sim native/tests/test_wifi_sim.c native/wifi/wifi_core.c native/lin/wifi_sim.c native/common/nc_os_posix.c
# Real-network probe used by host-tests/native/tls.test.ts (socket core over the lin esp-tls on real mbedTLS).
build tls_probe native/tests/tls_probe.c native/socket/socket_core.c native/lin/esp_tls_sim.c native/common/nc_os_posix.c -- -lmbedtls -lmbedx509 -lmbedcrypto

echo "native: syntax-check xsmc bindings and the FreeRTOS shim"
syntax() { "$CC" -std=gnu11 -Wall -Wextra -Werror -fsyntax-only "${XS[@]}" "${MOCKS[@]}" "$@"; }
syntax -Inative/crypto native/crypto/crypto_xs.c
syntax -Inative/nvs native/nvs/nvs_xs.c
syntax -Inative/ble native/ble/ble_xs.c
syntax -Inative/wifi native/wifi/wifi_xs.c
syntax -Inative/socket native/socket/socket_xs.c
syntax native/system/system_xs.c
syntax native/common/nc_os_freertos.c
# The same bindings as the SDK's lin (simulator) build compiles them: XS's platform header lin_xs.h instead of the
# stand-in xsHost.h (mcconfig -p lin passes INCLUDE_XSPLATFORM and XSPLATFORM="lin_xs.h"). This is where the SDK
# has no modMessagePostToMachine declaration (native/common/nc_xs_host.h), so a binding that bypasses
# nc_xs_host.h fails here; xs_message_sim.c is the lin implementation.
XSLIN=(-DINCLUDE_XSPLATFORM=1 '-DXSPLATFORM="lin_xs.h"' -Inode_modules/@agoric/xsnap/moddable/xs/includes
       -Inode_modules/@agoric/xsnap/moddable/xs/platforms $(pkg-config --cflags gio-2.0))
syntax_lin() { "$CC" -std=gnu11 -Wall -Wextra -Werror -fsyntax-only "${XSLIN[@]}" "${MOCKS[@]}" "$@"; }
echo "native: syntax-check xsmc bindings for the lin simulator platform"
syntax_lin -Inative/crypto native/crypto/crypto_xs.c
syntax_lin -Inative/nvs native/nvs/nvs_xs.c
syntax_lin -Inative/ble native/ble/ble_xs.c
syntax_lin -Inative/wifi native/wifi/wifi_xs.c
syntax_lin -Inative/socket native/socket/socket_xs.c
syntax_lin native/system/system_xs.c
syntax_lin native/lin/xs_message_sim.c
# lin simulator backends (manifest.json platforms.lin) not linked into a test above: full -Werror compile.
for f in native/lin/system_sim.c; do
  "$CC" -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -c "${MOCKS[@]}" "$f" -o "$out/$(basename "$f" .c).o"
done

status=0
# LeakSanitizer needs ptrace; a CI sandbox without it can set ASAN_OPTIONS=detect_leaks=0 (documented in native/README.md).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for t in test_crypto test_nvs test_ble test_wifi test_socket test_wifi_sim; do
  echo "native: run $t"
  if ! "$out/$t"; then echo "native: $t FAILED" >&2; status=1; fi
done
[ $status = 0 ] && echo "native: all C tests passed"
exit $status
