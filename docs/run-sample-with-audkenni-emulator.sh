#!/usr/bin/env bash
# Runs the sample against the emulator in Auðkenni mode: the emulator's own test root is written to a file the sample
# trusts, and the sample logs people in with the provider named Audkenni (no credentials, no Redis).
#   bash docs/run-sample-with-audkenni-emulator.sh          the REST tree; then open http://localhost:5000/profile
#   bash docs/run-sample-with-audkenni-emulator.sh ciba     CIBA, signing with the key the emulator registered
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
protocol=Tree
[ "${1:-}" = ciba ] && protocol=Ciba
dotnet run --project tools/IcelandicEid.Emulator -- --urls http://127.0.0.1:5100 --Emulator:AudkenniClientKeyOut="$work/client-key.pem" --Emulator:AudkenniRootOut="$work/root.pem" &
emulator=$!
trap 'kill $emulator 2>/dev/null' EXIT
for _ in $(seq 1 120); do [ -s "$work/root.pem" ] && break; sleep 0.5; done
IcelandicEid__Provider=Audkenni \
IcelandicEid__Audkenni__Protocol=$protocol \
IcelandicEid__Audkenni__RequestKeyPath="$work/client-key.pem" \
IcelandicEid__Audkenni__BaseUrl=http://127.0.0.1:5100 \
IcelandicEid__Audkenni__ClientId=emulator-client \
IcelandicEid__Audkenni__ClientSecret=emulator-secret \
IcelandicEid__Audkenni__RedirectUri=https://localhost/audkenni/callback \
IcelandicEid__Audkenni__RootCertificatePaths__0="$work/root.pem" \
IcelandicEid__Audkenni__PollInterval=00:00:01 \
dotnet run --project sample-web --urls http://localhost:5000
