#!/usr/bin/env bash
# HTTP throughput of POST /conference-request/v1 against a bare Jetty handler answering a fixed JSON body
# of the same size: same JVM flags, same wrk settings and Lua script, one after the other on loopback.
#   benchmarks/run-wrk.sh [duration-seconds] [connections] [warm-up-seconds]
# Needs wrk (Debian package 'wrk'; installed here if missing).
# The warm-up is long on purpose: on 2 busy cores C2 is still compiling Jetty's and our hot methods
# 15-20 s into a run (seen with -XX:+PrintCompilation), and a 3 s warm-up measured the JIT, not the code.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
CONNECTIONS="${2:-64}"
WARMUP="${3:-30}"
JVM_FLAGS=(-Xms1g -Xmx1g -XX:+UseG1GC)
if ! command -v wrk >/dev/null; then
  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
fi
mvn -B -q -pl admission-http,benchmarks -am package -DskipTests

wait_for() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; return 1; }
declare -A RPS P99
run() { # name port
  local out
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s benchmarks/wrk/conference-request.lua "http://127.0.0.1:$2" >/dev/null # warm-up
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s benchmarks/wrk/conference-request.lua "http://127.0.0.1:$2")
  echo "== $1"; echo "$out"
  RPS[$1]=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  P99[$1]=$(echo "$out" | awk '$1=="99%" {print $2}')
}

java "${JVM_FLAGS[@]}" -jar admission-http/target/admission-http-*-all.jar --config benchmarks/wrk/admission-bench.conf \
  > /tmp/admission-bench-server.log 2>&1 & ADM=$!
java "${JVM_FLAGS[@]}" -cp benchmarks/target/benchmarks.jar io.confgate.admission.bench.BareHandlerServer 18889 \
  > /tmp/bare-bench-server.log 2>&1 & BARE=$!
trap 'kill $ADM $BARE 2>/dev/null || true' EXIT
wait_for 18888; wait_for 18889

run bare 18889
run admission 18888
echo
echo "bare handler:       ${RPS[bare]} req/s, p99 ${P99[bare]}"
echo "conference-request: ${RPS[admission]} req/s, p99 ${P99[admission]}"
awk -v a="${RPS[admission]}" -v b="${RPS[bare]}" 'BEGIN { printf "ratio: %.1f%% of the bare handler\n", 100*a/b }'
