#!/usr/bin/env bash
# Out-of-process benchmark: publishes the sample (Release), runs it on Redis and the simulator in its own process, and
# drives it with wrk: the status endpoint against a bare endpoint of the same app doing one Redis GET, in the same run.
#   bash bench/wrk.sh [--logins 5000 --seconds 20 --concurrency 32]
# Needs wrk (apt-get install wrk) and redis-server (or the garnet-server dotnet tool).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
out=$(mktemp -d)
dotnet publish sample-web -c Release -o "$out/sample" -v quiet -nologo
dotnet run -c Release --project bench/IcelandicEid.Bench -- --only wrk --sample "$out/sample/SampleWeb.dll" "$@"
