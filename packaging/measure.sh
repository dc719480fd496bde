#!/usr/bin/env bash
# Footprint of a packaged agent running the demo: time from start to the first message a mosquitto subscriber receives,
# and resident memory (VmRSS) after one minute. arm64 runs under qemu-user (its RSS includes the emulator).
# Usage: packaging/measure.sh linux-x64|linux-arm64 [artifacts/packages]   (after packaging/build.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rid="$1"
packages="${2:-$root/artifacts/packages}"
tarball=$(ls "$packages"/edgeagent-*-"$rid".tar.gz | head -1)
work=$(mktemp -d)
broker_pid=""; agent_pid=""
stop() { [ -n "$1" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null; return 0; }
trap 'stop "$agent_pid"; stop "$broker_pid"; rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
app=$(ls -d "$work"/edgeagent-*/)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" >"$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" >/dev/null 2>&1 & broker_pid=$!
until mosquitto_pub -p "$port" -t probe -m x 2>/dev/null; do sleep 0.1; done
{ cat "$root/config/demo.yaml"; printf '\noutputs:\n  mqtt: { broker: mqtt://127.0.0.1:%s, format: json }\n' "$port"; } >"$work/demo.yaml"

mosquitto_sub -p "$port" -t 'acme/plant-a/area-2/line-1/data/#' -C 1 >/dev/null & sub_pid=$!
start=$(date +%s.%N)
case "$rid" in
  linux-arm64) DOTNET_EnableWriteXorExecute=0 qemu-aarch64-static "$app/edgeagent" run --config "$work/demo.yaml" >"$work/agent.log" 2>&1 & ;;
  *) "$app/edgeagent" run --config "$work/demo.yaml" >"$work/agent.log" 2>&1 & ;;
esac
agent_pid=$!
wait "$sub_pid"
first=$(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $start }")
sleep "$(awk "BEGIN { print 60 - $first }")"   # measuring: the RSS one minute after start
rss=$(awk '/VmRSS/ {print $2}' "/proc/$agent_pid/status")
echo "$rid: package $(du -k "$tarball" | cut -f1) KiB tar.gz; first message after ${first}s; VmRSS after 60 s: $((rss / 1024)) MiB"
