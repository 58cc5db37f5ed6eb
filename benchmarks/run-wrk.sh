#!/usr/bin/env bash
# HTTP throughput of POST /conference-request/v1 against a bare Jetty handler answering a fixed JSON body
# of the same size: same JVM flags, same wrk settings and Lua script, on loopback.
#   benchmarks/run-wrk.sh [duration-seconds] [connections] [warm-up-seconds] [rounds]
# Needs wrk (Debian package 'wrk'; installed here if missing).
#
# Method:
# - Both servers run side by side; each is warmed up first. The warm-up is long on purpose: on 2 busy
#   cores C2 is still compiling Jetty's and our hot methods 15-20 s into a run (seen with
#   -XX:+PrintCompilation), and a 3 s warm-up measured the JIT, not the code.
# - Then the measured runs alternate, bare, admission, bare, admission, ... for the given rounds, so a
#   slow or fast spell of this shared machine falls on both servers alike. Runs back to back drifted by
#   10-20 % between minutes here, the bare handler included.
# - The ratio is total admission requests over total bare requests, all rounds; each round's own ratio
#   is printed too. The p99 is the worst round's.
# - The admission server keeps every place it hands out for vnode-join-latency (60 s): no visitor ever
#   joins in this benchmark, so from about a minute in it holds the most it ever will, and later rounds
#   measure that steady state.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
CONNECTIONS="${2:-64}"
WARMUP="${3:-30}"
ROUNDS="${4:-5}"
source benchmarks/wrk/servers.sh
declare -A PORT=([bare]=18889 [admission]=18888)
declare -A TOTAL=([bare]=0 [admission]=0) SECS=([bare]=0 [admission]=0) WORST=([bare]=0 [admission]=0) LAST

for name in bare admission; do
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$LUA" "http://127.0.0.1:${PORT[$name]}" >/dev/null
done
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v/1000; else if (v ~ /ms$/) print v+0; else print v*1000 }'; }
for round in $(seq 1 "$ROUNDS"); do
  for name in bare admission; do
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$LUA" "http://127.0.0.1:${PORT[$name]}")
    echo "== round $round: $name"; echo "$out"
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    secs=$(echo "$out" | awk '/requests in/ {sub(/s,$/, "", $4); print $4}')
    p99=$(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")
    TOTAL[$name]=$(( TOTAL[$name] + requests ))
    SECS[$name]=$(awk -v a="${SECS[$name]}" -v b="$secs" 'BEGIN { print a + b }')
    WORST[$name]=$(awk -v a="${WORST[$name]}" -v b="$p99" 'BEGIN { print (b > a) ? b : a }')
    LAST[$name]=$(awk -v r="$requests" -v s="$secs" 'BEGIN { print r / s }')
  done
  awk -v a="${LAST[admission]}" -v b="${LAST[bare]}" -v r="$round" \
    'BEGIN { printf "round %d: bare %.0f req/s, admission %.0f req/s, ratio %.1f%%\n", r, b, a, 100*a/b }' | tee -a /tmp/wrk-rounds.txt
done
echo
rate() { awk -v r="${TOTAL[$1]}" -v s="${SECS[$1]}" 'BEGIN { printf "%.0f", r / s }'; }
echo "bare handler:       $(rate bare) req/s over $ROUNDS rounds, worst p99 ${WORST[bare]} ms"
echo "conference-request: $(rate admission) req/s over $ROUNDS rounds, worst p99 ${WORST[admission]} ms"
awk -v a="$(rate admission)" -v b="$(rate bare)" 'BEGIN { printf "ratio: %.1f%% of the bare handler\n", 100*a/b }'
