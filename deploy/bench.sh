#!/usr/bin/env bash
# Every benchmark, in Release, printing one table: each figure, its target and its same-run baseline.
#   deploy/bench.sh [enrollment]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet run -c Release --project tests/Reminders.Benchmarks -- "${1:-all}"
