#!/usr/bin/env bash
# A/B of two builds of the standalone server, loaded at the same time so that the machine's drift cannot
# favour either (as run-wrk-paired.sh): A = a server jar given as the first argument (e.g. the previous
# commit's, built in a git worktree), B = this checkout's. Prints B/A throughput; 1.0 = no difference.
#   benchmarks/run-wrk-ab.sh A.jar [duration-seconds] [connections-each] [warm-up-seconds] [rounds] [A-config]
set -euo pipefail
cd "$(dirname "$0")/.."
A_JAR="$1"
DURATION="${2:-15}"
CONNECTIONS="${3:-32}"
WARMUP="${4:-30}"
ROUNDS="${5:-5}"
A_CONFIG="${6:-benchmarks/wrk/admission-bench.conf}"
JVM_FLAGS=(-Xmx3072m -XX:+UseG1GC)
LUA=benchmarks/wrk/conference-request.lua
command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null
mvn -B -q -pl admission-server -am package -DskipTests
rm -rf /tmp/admission-bench-store /tmp/admission-bench-store-a
sed -e 's/port = 18888/port = 18889/' -e 's/admission-bench-store/admission-bench-store-a/' "$A_CONFIG" > /tmp/ab-a.conf
java "${JVM_FLAGS[@]}" -jar "$A_JAR" --config /tmp/ab-a.conf > /tmp/ab-a.log 2>&1 & A=$!
java "${JVM_FLAGS[@]}" -jar admission-server/target/admission-server-*-all.jar --config benchmarks/wrk/admission-bench.conf \
  > /tmp/ab-b.log 2>&1 & B=$!
trap 'kill $A $B 2>/dev/null || true' EXIT
for port in 18888 18889; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done
both() {
  wrk -t1 -c"$CONNECTIONS" -d"$1s" -s "$LUA" http://127.0.0.1:18889 > "$2" & local w=$!
  wrk -t1 -c"$CONNECTIONS" -d"$1s" -s "$LUA" http://127.0.0.1:18888 > "$3"
  wait $w
}
both "$WARMUP" /dev/null /dev/null
TA=0; TB=0
for round in $(seq 1 "$ROUNDS"); do
  both "$DURATION" /tmp/ab-a.txt /tmp/ab-b.txt
  a=$(awk '/requests in/ {print $1}' /tmp/ab-a.txt); b=$(awk '/requests in/ {print $1}' /tmp/ab-b.txt)
  TA=$((TA + a)); TB=$((TB + b))
  awk -v a="$a" -v b="$b" -v r="$round" -v d="$DURATION" \
    'BEGIN { printf "round %d: A %.0f req/s, B %.0f req/s, B/A %.3f\n", r, a/d, b/d, b/a }'
done
awk -v a="$TA" -v b="$TB" -v n="$ROUNDS" -v d="$DURATION" 'BEGIN {
  printf "\nA: %.0f req/s, B: %.0f req/s (sharing the cores)\nB/A: %.3f\n", a/(n*d), b/(n*d), b/a }'
