#!/usr/bin/env bash
# Resident memory of the published agent (artifacts/publish/edgeagent) with the Prometheus endpoint off and on.
# Same config both times (one simulator source, 100 tags at 10 Hz, no MQTT); "on" adds outputs.prometheus and is
# scraped once a second with curl, as a Prometheus would. Prints VmRSS and VmHWM (peak) after SECONDS (default 30).
# Usage: bench/Prometheus.Benchmarks/rss.sh [seconds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
agent="$root/artifacts/publish/edgeagent"
seconds="${1:-30}"
[ -x "$agent" ] || { echo "missing $agent: dotnet publish src/EdgeAgent/EdgeAgent.csproj -c Release -o artifacts/publish" >&2; exit 2; }
dir="$(mktemp -d)"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
tags="$(for i in $(seq 1 100); do printf '      - { name: t%d, signal: sine, mean: 50, amplitude: 5, period: 60s }\n' "$i"; done)"

run() { # run NAME EXTRA_OUTPUT_LINE
  cat >"$dir/$1.yaml" <<YAML
agent: { id: rss-$1, site: bench/rss, data: $dir/data-$1 }
sources:
  - name: sim
    driver: simulator
    poll: 100ms
    tags:
$tags
outputs:
  mqtt: false
$2
YAML
  "$agent" run --config "$dir/$1.yaml" >"$dir/$1.log" 2>&1 &
  pid=$!
  local end=$((SECONDS + seconds)) scrapes=0
  while [ $SECONDS -lt $end ]; do
    if [ "$1" = on ] && curl -fsS -o /dev/null "http://127.0.0.1:$port/metrics" 2>/dev/null; then scrapes=$((scrapes + 1)); fi
    sleep 1
  done
  printf '%-4s %s %s scrapes=%d\n' "$1" "$(grep VmRSS /proc/$pid/status | tr -s ' \t' ' ')" "$(grep VmHWM /proc/$pid/status | tr -s ' \t' ' ')" "$scrapes"
  kill -TERM "$pid"; wait "$pid" || true; pid=
}

run off ""
run on "  prometheus: { listen: \"127.0.0.1:$port\" }"
