#!/usr/bin/env bash
# Every benchmark, in Release, printing one table: each figure, its target and its same-run baseline.
#   deploy/bench.sh [enrollment|scheduler|delivery|delivery-burst|delivery-rate [reminders]|dosage [officers]|console]
# "console" renders the console's pages as a signed-in manager (2,240 officers, then 100,000).
# "dosage" exports 100,000 officers from the Attendance service on PostgreSQL.
# "delivery" (or "delivery-burst" / "delivery-rate" for one half) runs the services as processes over RabbitMQ and PostgreSQL (started here when missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [[ "${1:-all}" == "all" || "${1:-all}" == delivery* || "${1:-all}" == "dosage" ]]; then deploy/dev-services.sh up; fi
dotnet run -c Release --project tests/Reminders.Benchmarks -- "${1:-all}" ${2:+"$2"}
