#!/usr/bin/env bash
# Installs every real peer the tests talk to, when missing. Idempotent; run as root (CI and dev machines are).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

apt_pkgs=(mosquitto mosquitto-clients python3-pymodbus python3-serial python3-serial-asyncio socat mbpoll libmodbus-dev gcc openssl sqlite3)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "peers: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The packaged mosquitto would start as a system service on :1883 on install. The tests start their own brokers
  # on free ports and stop them by process id, and the demo's embedded broker wants 1883: keep the packaged daemon
  # from starting during this install (policy-rc.d exit 101 = "action forbidden"), instead of killing any mosquitto
  # afterwards, which would also stop a developer's own broker. An existing policy-rc.d is left as it is.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
    trap 'if [ "$own_policy" = 1 ]; then rm -f "$policy"; fi' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "$own_policy" = 1 ]; then rm -f "$policy"; own_policy=0; fi
fi

# npm peers (node-opcua-server, modbus-serial, jsmodbus, sparkplug-payload), pinned in package.json.
if [ -f "$here/package.json" ]; then
  if [ ! -d "$here/node_modules" ] || [ "$here/package.json" -nt "$here/node_modules/.installed" ]; then
    echo "peers: npm install in tests/peers"
    (cd "$here" && npm install --no-audit --no-fund --loglevel=error >/dev/null && touch node_modules/.installed)
  fi
fi

# Packaging tests: systemd-analyze verifies the unit; Debian's qemu-user runs the arm64 package with exactly the arm64
# libraries its Depends names (libc6, libgcc-s1, libstdc++6, libssl3) from Debian's multiarch archive.
pkg_missing=()
command -v systemd-analyze >/dev/null || pkg_missing+=(systemd)
command -v qemu-aarch64-static >/dev/null || command -v qemu-aarch64 >/dev/null || pkg_missing+=(qemu-user-static)
arm64_libs=(libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64 libssl3:arm64)
for p in "${arm64_libs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || pkg_missing+=("$p")
done
if [ ${#pkg_missing[@]} -gt 0 ]; then
  echo "peers: installing ${pkg_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkg_missing[@]}" >/dev/null
fi
