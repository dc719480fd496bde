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
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The distribution starts mosquitto as a service on :1883 on install; tests start their own on free ports,
# and the embedded broker of the demo wants 1883, so stop the packaged one.
if command -v systemctl >/dev/null 2>&1; then systemctl stop mosquitto >/dev/null 2>&1 || true; fi
pkill -x mosquitto >/dev/null 2>&1 || true

# npm peers (node-opcua-server, modbus-serial, jsmodbus, sparkplug-payload), pinned in package.json.
if [ -f "$here/package.json" ]; then
  if [ ! -d "$here/node_modules" ] || [ "$here/package.json" -nt "$here/node_modules/.installed" ]; then
    echo "peers: npm install in tests/peers"
    (cd "$here" && npm install --no-audit --no-fund --loglevel=error >/dev/null && touch node_modules/.installed)
  fi
fi
