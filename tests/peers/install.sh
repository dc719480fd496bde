#!/usr/bin/env bash
# Installs every real peer the tests talk to, when missing. Idempotent; run as root (CI and dev machines are).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DEBIAN_FRONTEND=noninteractive

# Several packages start a system daemon on install (mosquitto on :1883, victoria-metrics on :8428, influxd on :8086).
# The tests start their own peers on free ports and stop them by process id, and the demo's embedded broker wants
# 1883: the packaged daemons are kept from starting during our install (policy-rc.d exit 101 = "action forbidden"),
# instead of killing any daemon by name afterwards, which would also stop a developer's own broker. An existing
# policy-rc.d is left as it is.
policy=/usr/sbin/policy-rc.d
own_policy=0
trap 'if [ "$own_policy" = 1 ]; then rm -f "$policy"; fi' EXIT

# missing PKG... : prints the packages that are not installed.
missing() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

# install_quietly PKG... : apt-get install without starting their services.
install_quietly() {
  [ $# -gt 0 ] || return 0
  echo "peers: installing $*"
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  if [ "$own_policy" = 1 ]; then rm -f "$policy"; own_policy=0; fi
}

# Brokers, Modbus peers, serial ptys.
mapfile -t need < <(missing mosquitto mosquitto-clients python3-pymodbus python3-serial python3-serial-asyncio socat mbpoll libmodbus-dev gcc openssl sqlite3)
install_quietly "${need[@]}"

# Time-series peers of the InfluxDB output's tests: victoria-metrics (accepts the InfluxDB v2 write API, read back through
# its export API) and influxdb 1.6 (the /write and /query API of the 1.x installations); prometheus scrapes the
# agent's /metrics in the Prometheus endpoint's tests (each test starts its own, with its own config and data folder).
mapfile -t need < <(missing victoria-metrics influxdb prometheus)
install_quietly "${need[@]}"

# Packaging tests: systemd-analyze verifies the unit; Debian's qemu-user runs the arm64 package with exactly the arm64
# libraries its Depends names (libc6, libgcc-s1, libstdc++6, libssl3) from Debian's multiarch archive.
need=()
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v qemu-aarch64-static >/dev/null || command -v qemu-aarch64 >/dev/null || need+=(qemu-user-static)
mapfile -t -O "${#need[@]}" need < <(missing libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64 libssl3:arm64)
if [ ${#need[@]} -gt 0 ]; then
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
fi
install_quietly "${need[@]}"

# Figures of spc analyze: headless chromium renders the HTML report and measures the SVG texts; DejaVu is the font
# the figures are drawn in (the packages recommend it).
mapfile -t need < <(missing chromium fonts-dejavu-core)
install_quietly "${need[@]}"

# npm peers (node-opcua-server, modbus-serial, jsmodbus, sparkplug-payload), pinned in package.json.
if [ -f "$here/package.json" ]; then
  if [ ! -d "$here/node_modules" ] || [ "$here/package.json" -nt "$here/node_modules/.installed" ]; then
    echo "peers: npm install in tests/peers"
    (cd "$here" && npm install --no-audit --no-fund --loglevel=error >/dev/null && touch node_modules/.installed)
  fi
fi
