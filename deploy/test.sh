#!/usr/bin/env bash
# The one test command (CI runs it through .ci/run):
#   1. start RabbitMQ and PostgreSQL on loopback (deploy/dev-services.sh up)
#   2. validate docker-compose.yml offline (docker-compose 1.29 `config -q`)
#   3. dotnet build the solution in Release (warnings are errors via Directory.Build.props)
#   4. run each tests/*/*.Tests.csproj one after another (they share one broker and database)
#   5. lint the OpenAPI document the end-to-end tests wrote (TestResults/openapi/*.json) with redocly's recommended
#      rules (@redocly/cli, pinned, installed into .tools/ when missing); any error counts as 1 failed
#   6. add up the .trx counters and print "N passed, N failed" as the very last line
# Exit code is non-zero when anything failed, any project crashed or timed out, or no test ran.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MSBUILDDISABLENODEREUSE=1   # no MSBuild worker processes left behind after the run
export REMINDERS_TEST_POSTGRES="${REMINDERS_TEST_POSTGRES:-Host=127.0.0.1;Port=5432;Username=reminders;Password=reminders-dev-only;Database=reminders}"
export REMINDERS_TEST_RABBITMQ="${REMINDERS_TEST_RABBITMQ:-amqp://reminders:reminders-dev-only@127.0.0.1:5672/}"
export REMINDERS_TEST_RABBITMQ_MANAGEMENT="${REMINDERS_TEST_RABBITMQ_MANAGEMENT:-http://127.0.0.1:15672}"

PROJECT_TIMEOUT=${REMINDERS_TEST_PROJECT_TIMEOUT:-900}   # seconds per test project
RESULTS_DIR="$ROOT/TestResults/test-sh"
OPENAPI_DIR="$ROOT/TestResults/openapi"
REDOCLY_VERSION=2.77.0
REDOCLY_DIR="$ROOT/.tools/redocly"   # git-ignored; reused offline once installed

T0=$SECONDS
TOTAL_PASSED=0
TOTAL_FAILED=0
TOTAL_SKIPPED=0
TOTAL_RAN=0
ERRORS=0
SUMMARY=()
FINAL_PRINTED=0

CURRENT_STEP="start"
step() { CURRENT_STEP=$*; printf '\n=== %s\n' "$*"; }

# The last line is always the count, whatever happens before it (a failed setup step counts
# as 1 failed, so the run can never look green by accident).
final_line() {
    [[ $FINAL_PRINTED -eq 0 ]] || return 0
    FINAL_PRINTED=1
    printf '\n'
    local line
    for line in "${SUMMARY[@]+"${SUMMARY[@]}"}"; do printf '%s\n' "$line"; done
    printf 'total wall time: %ds\n' "$((SECONDS - T0))"
    printf '%d passed, %d failed\n' "$TOTAL_PASSED" "$TOTAL_FAILED"
}
# shellcheck disable=SC2317  # invoked through the EXIT trap
on_exit() {
    local rc=$?
    if [[ $FINAL_PRINTED -eq 0 ]]; then
        if [[ $rc -ne 0 && $TOTAL_FAILED -eq 0 ]]; then TOTAL_FAILED=1; fi
        SUMMARY+=("ABORTED in step \"$CURRENT_STEP\" with exit code $rc")
        final_line
    fi
    exit "$rc"
}
trap on_exit EXIT

# counter FILE ATTR: value of ATTR on the <Counters .../> element of a .trx file (0 if absent)
counter() {
    local counters value
    counters=$(grep -o '<Counters [^>]*' "$1" | head -n 1 || true)
    value=$(sed -n "s/.* $2=\"\([0-9]*\)\".*/\1/p" <<<"$counters")
    printf '%s' "${value:-0}"
}

# ------------------------------------------------------------------ services
step "services: deploy/dev-services.sh up"
bash "$ROOT/deploy/dev-services.sh" up

# ------------------------------------------------------------------ compose file
step "docker-compose.yml: offline validation"
if ! command -v docker-compose >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi
docker-compose -f "$ROOT/docker-compose.yml" config -q
echo "docker-compose.yml is valid"

# ------------------------------------------------------------------ build
step "build"
SOLUTION=""
for candidate in Reminders.sln Reminders.slnx; do
    if [[ -f $candidate ]]; then SOLUTION=$candidate; break; fi
done
[[ -n $SOLUTION ]] || { echo "no Reminders.sln in $ROOT" >&2; exit 1; }
tb=$SECONDS
dotnet build "$SOLUTION" -c Release -nodeReuse:false
SUMMARY+=("build: $((SECONDS - tb))s")

# ------------------------------------------------------------------ tests
PROJECTS=()
while IFS= read -r proj; do
    case "$proj" in *Benchmarks*) continue ;; esac
    PROJECTS+=("$proj")
done < <(compgen -G 'tests/*/*.Tests.csproj' | sort || true)
if [[ ${#PROJECTS[@]} -eq 0 ]]; then
    echo "no test project matches tests/*/*.Tests.csproj" >&2
    exit 1
fi

rm -rf "$RESULTS_DIR" "$OPENAPI_DIR"
mkdir -p "$RESULTS_DIR"

for proj in "${PROJECTS[@]}"; do
    name=$(basename "$proj" .csproj)
    dir="$RESULTS_DIR/$name"
    step "test: $name"
    tp=$SECONDS
    rc=0
    # one project at a time: they share one RabbitMQ, one PostgreSQL and two cores
    timeout --kill-after=30 "$PROJECT_TIMEOUT" \
        dotnet test "$proj" -c Release --no-build \
            --logger "trx;LogFileName=$name.trx" --results-directory "$dir" || rc=$?
    secs=$((SECONDS - tp))

    passed=0 failed=0 skipped=0 total=0 trx_count=0
    if [[ -d $dir ]]; then
        while IFS= read -r -d '' trx; do
            trx_count=$((trx_count + 1))
            total=$((total + $(counter "$trx" total)))
            passed=$((passed + $(counter "$trx" passed)))
            failed=$((failed + $(counter "$trx" failed) + $(counter "$trx" error) \
                + $(counter "$trx" timeout) + $(counter "$trx" aborted)))
            # xunit's skipped tests count in total but not in executed
            skipped=$((skipped + $(counter "$trx" total) - $(counter "$trx" executed)))
        done < <(find "$dir" -name '*.trx' -print0)
    fi

    note=""
    if [[ $rc -eq 124 || $rc -eq 137 ]]; then
        note=" TIMED OUT after ${PROJECT_TIMEOUT}s"
        ERRORS=$((ERRORS + 1))
        [[ $failed -gt 0 ]] || failed=1
    elif [[ $trx_count -eq 0 ]]; then
        note=" NO RESULTS (dotnet test exit code $rc)"
        ERRORS=$((ERRORS + 1))
        [[ $failed -gt 0 ]] || failed=1
    elif [[ $rc -ne 0 && $failed -eq 0 ]]; then
        # e.g. the test host crashed after some tests had passed
        note=" ERRORED (dotnet test exit code $rc with no failed test recorded)"
        ERRORS=$((ERRORS + 1))
        failed=1
    fi

    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
    TOTAL_SKIPPED=$((TOTAL_SKIPPED + skipped))
    TOTAL_RAN=$((TOTAL_RAN + total))
    SUMMARY+=("$(printf '%-40s %4ds  %d passed, %d failed, %d skipped%s' "$name:" "$secs" "$passed" "$failed" "$skipped" "$note")")
done

# ------------------------------------------------------------------ OpenAPI lint
step "OpenAPI: redocly lint (recommended rules)"
openapi_lint() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
    fi
    local installed=""
    [[ -f $REDOCLY_DIR/node_modules/@redocly/cli/package.json ]] &&
        installed=$(node -p "require('$REDOCLY_DIR/node_modules/@redocly/cli/package.json').version" 2>/dev/null || true)
    if [[ $installed != "$REDOCLY_VERSION" ]]; then
        mkdir -p "$REDOCLY_DIR"
        npm install --prefix "$REDOCLY_DIR" --no-audit --no-fund --loglevel=error "@redocly/cli@$REDOCLY_VERSION" >/dev/null
    fi
    local files=()
    mapfile -t files < <(compgen -G "$OPENAPI_DIR/*.json" | sort || true)
    if [[ ${#files[@]} -eq 0 ]]; then
        echo "no OpenAPI document in $OPENAPI_DIR (OpenApiDocumentTests writes it)" >&2
        return 1
    fi
    local redocly=("$REDOCLY_DIR/node_modules/.bin/redocly" lint --extends recommended)
    export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
    if ! "${redocly[@]}" --format summary "${files[@]}"; then
        "${redocly[@]}" --format stylish --max-problems 200 "${files[@]}" || true   # where each problem is
        return 1
    fi
}
tl=$SECONDS
lint_rc=0
openapi_lint || lint_rc=$?
if [[ $lint_rc -eq 0 ]]; then
    SUMMARY+=("$(printf '%-40s %4ds  0 errors' "OpenAPI lint:" "$((SECONDS - tl))")")
else
    SUMMARY+=("$(printf '%-40s %4ds  FAILED (exit code %d): errors, or redocly could not run' "OpenAPI lint:" "$((SECONDS - tl))" "$lint_rc")")
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
fi

SUMMARY+=("results: $RESULTS_DIR")
SUMMARY+=("all projects: $TOTAL_PASSED passed, $TOTAL_FAILED failed, $TOTAL_SKIPPED skipped, $ERRORS errored")
if [[ $TOTAL_RAN -eq 0 && $TOTAL_PASSED -eq 0 && $TOTAL_FAILED -eq 0 ]]; then
    SUMMARY+=("no test ran")
    TOTAL_FAILED=1
fi

exit_code=0
if [[ $TOTAL_FAILED -gt 0 || $ERRORS -gt 0 || $TOTAL_PASSED -eq 0 ]]; then exit_code=1; fi
final_line
exit "$exit_code"
