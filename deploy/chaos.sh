#!/usr/bin/env bash
# Fault injection (issue 7), in Release: 20,000 reminders fall due over two minutes while two instances of every service
# are killed (SIGKILL) and restarted at moments drawn from a seed, RabbitMQ and PostgreSQL restart once each, and the
# provider simulator answers with 429s, 500s, slow answers, accept-then-timeout, 502 after accepting, unreadable 2xx bodies,
# statuses it does not know and 30 s of refused credentials. Then it counts, from the simulator's
# log and every service's tables and queues: lost, duplicated, sent to control, ledger vs provider, anything stuck.
#   deploy/chaos.sh [--seed N] [--reminders N] [--no-restarts]
# Prints the seed first and the counts last; exits non-zero on any difference. Restarting RabbitMQ and PostgreSQL breaks
# whatever else uses them at that moment: run it alone (--no-restarts leaves them be). Finishes in under 15 minutes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
deploy/dev-services.sh up
# Whatever happens, the broker and the database are left running.
trap 'deploy/dev-services.sh up >/dev/null 2>&1 || echo "chaos: deploy/dev-services.sh up failed" >&2' EXIT
dotnet build -c Release tests/Reminders.Benchmarks -nologo -v q
dotnet run -c Release --no-build --project tests/Reminders.Benchmarks -- chaos "$@"
