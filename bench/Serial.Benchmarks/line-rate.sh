#!/usr/bin/env bash
# The serial driver at the line's physical limit: 115200 baud 8N1 carries about 820 fourteen-character lines per
# second. A socat pty pair stands in for the cable; a paced writer plays a Mitutoyo gauge streaming at that rate into
# the published agent (one serial source, no outputs). Prints the agent's CPU (user+system from /proc) per second of
# streaming, minus the same agent's CPU while the line is idle, as a share of one core, and the samples routed.
# Usage: bench/Serial.Benchmarks/line-rate.sh [SECONDS]   (after ./test.sh or a dotnet publish to artifacts/publish)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds=${1:-30}
agent=artifacts/publish/edgeagent
[ -x "$agent" ] || { echo "missing $agent: dotnet publish src/EdgeAgent/EdgeAgent.csproj -c Release -o artifacts/publish" >&2; exit 1; }
dir=$(mktemp -d)
socat pty,raw,echo=0,link="$dir/driver" pty,raw,echo=0,link="$dir/gauge" & socat_pid=$!
agent_pid=
cleanup() { [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null; kill "$socat_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 100); do [ -e "$dir/driver" ] && [ -e "$dir/gauge" ] && break; sleep 0.05; done
cat >"$dir/config.yaml" <<YAML
agent: { id: line-rate, data: $dir/data }
sources:
  - name: caliper
    driver: serial
    port: $dir/driver
    baud: 115200
    profile: mitutoyo
    gaugeUnit: mm
    terminator: cr
    tags:
      - { name: bore, unit: mm }
outputs:
  mqtt: off
YAML
DOTNET_PerfMapEnabled=${PERFMAP:-0} "$agent" run --config "$dir/config.yaml" >"$dir/agent.log" 2>&1 & agent_pid=$!
for _ in $(seq 400); do grep -q "is up" "$dir/agent.log" && break; sleep 0.05; done
grep -q "is up" "$dir/agent.log" || { cat "$dir/agent.log"; exit 1; }
ticks() { awk '{print $14 + $15}' "/proc/$agent_pid/stat"; }
hz=$(getconf CLK_TCK)
warmup=10
# The gauge streams for warm-up + SECONDS (the JIT settles during the warm-up), then the line goes quiet for SECONDS.
/usr/bin/python3 - "$dir/gauge" "$((warmup + seconds))" >"$dir/writer.log" <<'PY' & writer_pid=$!
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NOCTTY)
line = b"01A+00012.345\r"          # 14 characters: 140 bits at 8N1, 822.9 lines/s at 115200 baud
rate, seconds = 115200 / 10 / len(line), float(sys.argv[2])
start, sent = time.monotonic(), 0
while (now := time.monotonic() - start) < seconds:
    due = int(now * rate) - sent
    if due > 0:
        os.write(fd, line * due); sent += due
    time.sleep(0.005)
print(f"sent {sent} lines in {seconds:.0f} s ({sent / seconds:.0f} lines/s)")
PY
sleep "$warmup"; busy0=$(ticks)
wait "$writer_pid"; busy1=$(ticks)
sleep "$seconds"; idle1=$(ticks)
cat "$dir/writer.log"
awk -v b0="$busy0" -v b1="$busy1" -v i1="$idle1" -v s="$seconds" -v hz="$hz" 'BEGIN {
  busy = (b1 - b0) / hz / s * 100; idle = (i1 - b1) / hz / s * 100;
  printf "agent CPU: streaming %.2f %% of one core, idle line %.2f %%, the lines cost %.2f %%\n", busy, idle, busy - idle }'
kill -TERM "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=
grep -o "routing [0-9]* samples" "$dir/agent.log" | tail -1
