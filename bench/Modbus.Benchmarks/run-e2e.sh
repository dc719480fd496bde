#!/usr/bin/env bash
# End-to-end Modbus TCP throughput, all clients against ONE libmodbus server in the same run:
# libmodbus C client, our client sequential and with 4 requests in flight (edgeagent probe), pymodbus client.
# Reads 125 holding registers per request over loopback. Needs gcc and libmodbus-dev (tests/peers/install.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$(mktemp -d)"
n="${N:-20000}"
port="${PORT:-$((20000 + RANDOM % 20000))}"
gcc -O2 -Wall -o "$out/mb_server" "$here/c/mb_server.c" $(pkg-config --cflags --libs libmodbus)
gcc -O2 -Wall -o "$out/mb_client" "$here/c/mb_client.c" $(pkg-config --cflags --libs libmodbus)
dotnet build -c Release "$root/src/EdgeAgent" -o "$out/agent" -nologo -v q >/dev/null
"$out/mb_server" "$port" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$out"' EXIT
sleep 0.3
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
"$out/mb_client" 127.0.0.1 "$port" "$n"
dotnet "$out/agent/edgeagent.dll" probe "modbus-tcp://127.0.0.1:$port" --read hr:0:125 --count "$n" || true
dotnet "$out/agent/edgeagent.dll" probe "modbus-tcp://127.0.0.1:$port" --read hr:0:125 --count "$((n * 2))" --inflight 4 || true
/usr/bin/python3 "$here/c/pymodbus_client.py" 127.0.0.1 "$port" "$((n / 5))" || true
"$out/mb_client" 127.0.0.1 "$port" "$n"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
