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

# Time-series peers of the InfluxDB output's tests: victoria-metrics (accepts the InfluxDB v2 write API, read back through
# its export API) and influxdb 1.6 (the /write and /query API of the 1.x installations). Both packages start a system
# daemon on install (victoria-metrics on :8428, influxd on :8086); the tests start their own on free ports with their own
# data folders and stop them by process id, so the packaged daemons are kept from starting as mosquitto's is above.
ts_pkgs=(victoria-metrics influxdb)
ts_missing=()
for p in "${ts_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || ts_missing+=("$p")
done
if [ ${#ts_missing[@]} -gt 0 ]; then
  echo "peers: installing ${ts_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
    trap 'if [ "$own_policy" = 1 ]; then rm -f "$policy"; fi' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${ts_missing[@]}" >/dev/null
  if [ "$own_policy" = 1 ]; then rm -f "$policy"; own_policy=0; fi
fi
