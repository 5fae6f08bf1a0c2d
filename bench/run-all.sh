#!/usr/bin/env bash
# Runs every benchmark arm once (docs/benchmarks.md) and collects each arm's last JSON line into
# bench/results/<date>.jsonl, then prints a Markdown table of them.
#   bench/run-all.sh [N]      N instances for the renewal-day arms (default 1000000)
# Environment: QUIET_N (quiet horizon instances, default 10000000), QUIET_SECONDS (60),
# TIME_BOX (Hangfire, 60), CLOCK_N (test clock instances, 10000), CLOCK_ACCOUNTS (1000), API_N (20000), API_SECONDS (20 per route), API_CONNECTIONS ("32 4"), SKIP_MICRO=1.
# Starts its own throwaway PostgreSQL 15 cluster (pg_stat_statements preloaded, shared_buffers=512MB,
# max_wal_size=4GB) on a free loopback port and stops it at the end. Needs wrk (apt-get install wrk).
set -euo pipefail
N=${1:-1000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
RESULTS="$ROOT/bench/results/$(date -u +%Y-%m-%dT%H%M%SZ).jsonl"
mkdir -p "$ROOT/bench/results"

# The bench is its own executable; the API arm serves with the tenure executable built beside it.
nice -n 10 dotnet build "$ROOT/bench/Tenure.Bench" -c Release -v quiet -nologo
nice -n 10 dotnet build "$ROOT/src/Tenure.Cli" -c Release -v quiet -nologo
BENCH=(nice -n 10 dotnet "$ROOT/bench/Tenure.Bench/bin/Release/net10.0/tenure-bench.dll")
TENURE_DLL="$ROOT/src/Tenure.Cli/bin/Release/net10.0/tenure.dll"

PGDIR=$(mktemp -d /tmp/tenure-bench-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AS=()
if [ "$(id -u)" = 0 ]; then chown postgres "$PGDIR"; AS=(runuser -u postgres --); fi
"${AS[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres --no-sync >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 \
  -c shared_preload_libraries=pg_stat_statements -c shared_buffers=512MB -c max_wal_size=4GB" start >/dev/null
stop() { "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null || true; rm -rf "$PGDIR"; }
trap stop EXIT

# A new empty database per arm; fresh runs in a subshell ("$(fresh)"), so the count lives in a file.
echo 0 > "$PGDIR/count"
fresh() { local n=$(( $(cat "$PGDIR/count") + 1 )); echo "$n" > "$PGDIR/count"; "${AS[@]}" "$PGBIN/createdb" -h "$PGDIR" -p "$PORT" -U postgres "b$n"; echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=b$n;Command Timeout=3600"; }
# Each arm's own lines go to stderr through the script's descriptor (a reopened /dev/stderr has an offset of its own, and
# with `2> file` the arms' lines were overwritten by the next "==" line); its last line, the JSON, to the results.
arm() { echo "== tenure-bench $*" >&2; "${BENCH[@]}" "$@" --json | tee >(cat >&2) | tail -n 1 >> "$RESULTS" || echo "== failed (exit $?): tenure-bench $*" >&2; }

arm renewal-day --instances "$N" --db sqlite
for w in 1 2 4; do arm renewal-day --instances "$N" --db postgres --postgres "$(fresh)" --workers "$w"; done
arm renewal-day --instances "$N" --db sqlite --floor
arm renewal-day --instances "$N" --db postgres --postgres "$(fresh)" --floor
arm renewal-day --instances "$N" --db postgres --postgres "$(fresh)" --hangfire --time-box "${TIME_BOX:-60}"
# A year of a test clock (issue 16): 10,000 instances in accounts of ten, and in one account, on both databases.
for a in "${CLOCK_ACCOUNTS:-1000}" 1; do
  arm test-clock --instances "${CLOCK_N:-10000}" --accounts "$a" --days 365 --db sqlite
  arm test-clock --instances "${CLOCK_N:-10000}" --accounts "$a" --days 365 --db postgres --postgres "$(fresh)"
done
arm quiet-horizon --instances "${QUIET_N:-10000000}" --db postgres --postgres "$(fresh)" --seconds "${QUIET_SECONDS:-60}"
arm quiet-horizon --instances "${QUIET_N:-10000000}" --db sqlite --seconds 1
for c in ${API_CONNECTIONS:-32 4}; do
  API=(api --instances "${API_N:-20000}" --seconds "${API_SECONDS:-20}" --connections "$c" --tenure "$TENURE_DLL")
  arm "${API[@]}" --db sqlite
  arm "${API[@]}" --db postgres --postgres "$(fresh)"
done
if [ -z "${SKIP_MICRO:-}" ]; then (cd "$(mktemp -d)" && arm micro); fi

echo "Results: $RESULTS" >&2
python3 - "$RESULTS" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
print("| arm | N | seconds | per second | peak RSS MB | notes |")
print("|---|---|---|---|---|---|")
for r in rows:
    notes = []
    if r.get("extrapolated"): notes.append(f"extrapolated from {r['measured']} in {r['measuredSeconds']} s; scheduling {r['schedulePerSecond']}/s")
    if r.get("commitsPerInstance") is not None: notes.append(f"{r['commitsPerInstance']} commits, {r.get('statementsPerInstance')} statements per instance")
    if "p99LatenessSeconds" in r: notes.append(f"lateness p50/p99 {r['p50LatenessSeconds']}/{r['p99LatenessSeconds']} s")
    if "claimP99Ms" in r: notes.append(f"idle {r.get('statementsPerSecond')} statements/s, {r.get('commitsPerSecond')} commits/s; claim p50/p99 {r['claimP50Ms']}/{r['claimP99Ms']} ms")
    if "renew" in r: notes.append(f"{r['connections']} connections; " + "; ".join(f"{k} {r[k]['perSecond']}/s p99 {r[k]['p99Ms']} ms" for k in ("renew", "quote", "list") if k in r))
    if r.get("engineCpuSeconds") is not None: notes.append(f"CPU engine {r['engineCpuSeconds']} s" + (f", server {r['serverCpuSeconds']} s" if r.get("serverCpuSeconds") is not None else ""))
    if "events" in r: notes.append(f"{r['events']} events over {r['days']} days in {r['accounts']} accounts")
    if "benchmarks" in r: notes.append("; ".join(f"{b['name']} {b['meanNs']} ns" for b in r["benchmarks"]))
    print(f"| {r['arm']} | {r['instances']:,} | {r['seconds']} | {r['perSecond']} | {r['peakRssMb']} | {'; '.join(notes)} |")
api = [r for r in rows if "renew" in r]
if api:
    print()
    print("| API arm | connections | route | requests/s | p50 ms | p99 ms | not 2xx / socket errors | server peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for r in api:
        for k in ("renew", "quote", "list"):
            if k in r:
                w = r[k]
                print(f"| {r['arm']} | {r['connections']} | {k} | {w['perSecond']} | {w['p50Ms']} | {w['p99Ms']} | {w['non2xx']} / {w.get('socketErrors', 0)} of {w['requests']:,} | {r['peakRssMb']} |")
PY
