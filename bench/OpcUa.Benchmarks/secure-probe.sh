#!/usr/bin/env bash
# End to end, same server, same run: notifications/s and CPU per notification of `edgeagent probe` and of
# node-opcua-client (tests/peers/opcua/client-probe.js), each with security None, Basic256Sha256 Sign and
# Basic256Sha256 SignAndEncrypt, one after the other against one `server.js --secure --load N`.
#   bench/OpcUa.Benchmarks/secure-probe.sh [ITEMS=2000] [SECONDS=10]
# Needs the published agent (dotnet publish src/EdgeAgent/EdgeAgent.csproj -c Release -o artifacts/publish) and
# tests/peers/node_modules. Stops only the server it started.
set -euo pipefail
items=${1:-2000}
seconds=${2:-10}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# A server certificate for 127.0.0.1 (the name the clients connect by), PKCS#1 key for node-opcua.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key8.pem" -out "$work/cert.pem" -days 7 -subj "/CN=edgeagent bench server" \
  -addext "subjectAltName=URI:urn:edgeagent:bench-server,IP:127.0.0.1,DNS:localhost" \
  -addext "keyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment,dataEncipherment" 2>/dev/null
openssl rsa -in "$work/key8.pem" -out "$work/key.pem" -traditional 2>/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cd "$repo/tests/peers"
node opcua/server.js --port "$port" --secure --cert "$work/cert.pem" --key "$work/key.pem" --application-uri urn:edgeagent:bench-server \
  --pki "$work/server-pki" --load "$items" --load-interval 10 --big 10 > "$work/server.out" 2>&1 < /dev/zero &
server=$!
for _ in $(seq 600); do grep -q ready "$work/server.out" && break; sleep 0.2; done
url="opc.tcp://127.0.0.1:$port/UA/EdgeAgentTest"
for sec in "None None" "Basic256Sha256 Sign" "Basic256Sha256 SignAndEncrypt"; do
  set -- $sec
  if [ "$1" = None ]; then opts=(); else opts=(--policy "$1" --mode "$2" --auto-accept --pki "$work/agent-pki"); fi
  printf '{"client":"edgeagent","policy":"%s","mode":"%s",' "$1" "$2"
  "$repo/artifacts/publish/edgeagent" probe "$url" --subscribe-below "ns=2;s=Load" --sampling 10ms --seconds "$seconds" "${opts[@]}" | sed 's/^{//'
  node opcua/client-probe.js "$url" --items "$items" --sampling 10 --publishing 100 --seconds "$seconds" --policy "$1" --mode "$2" --pki "$work/node-pki"
done
