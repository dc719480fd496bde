#!/usr/bin/env bash
# Runs every test against real peers. Installs what it needs (apt: mosquitto, pymodbus, socat, mbpoll, libmodbus;
# npm: node-opcua-server, modbus-serial, jsmodbus, sparkplug-payload) when missing, builds the same publish output the
# Dockerfile copies, then runs all test projects. Usage: ./test.sh [extra dotnet test args, e.g. --filter Name~Modbus]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

tests/peers/install.sh

dotnet build EdgeAgent.sln -c Release -nologo -v quiet
# The Dockerfile publishes exactly this; the tests that run the agent as a process use this output.
dotnet publish src/EdgeAgent/EdgeAgent.csproj -c Release -o artifacts/publish --no-build -nologo -v quiet
test -x artifacts/publish/edgeagent || { echo "publish output missing artifacts/publish/edgeagent" >&2; exit 1; }
artifacts/publish/edgeagent validate --config config/demo.yaml
# The gateway packages, built once for the packaging tests (artifacts/packages): two self-contained ReadyToRun publishes.
packaging/build.sh

log=$(mktemp)
status=0
dotnet test EdgeAgent.sln -c Release --no-build -nologo --logger "console;verbosity=minimal" "$@" 2>&1 | tee "$log" || status=$?
# One plain summary line over all test assemblies.
awk '/(Passed|Failed)! +- +Failed: /{ gsub(",",""); for (i=1;i<=NF;i++){ if($i=="Failed:")f+=$(i+1); if($i=="Passed:")p+=$(i+1); if($i=="Skipped:")s+=$(i+1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s; if (p == 0) exit 1 }' "$log" || status=1
rm -f "$log"
exit $status
