#!/usr/bin/env bash
# The same comparison as run-wrk.sh, measured so that the machine's drift cannot favour either side:
# both servers are loaded at the same time, each by its own wrk (1 thread, half the connections), and
# share the 2 cores. Whichever costs more CPU per request answers fewer; the ratio of their throughputs
# is the ratio of their costs. It prints no latency: with the cores shared, neither side's is its own.
#   benchmarks/run-wrk-paired.sh [duration-seconds] [connections-each] [warm-up-seconds] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
CONNECTIONS="${2:-32}"
WARMUP="${3:-30}"
ROUNDS="${4:-5}"
source benchmarks/wrk/servers.sh
both() { # seconds out-admission out-bare
  wrk -t1 -c"$CONNECTIONS" -d"$1s" -s "$LUA" http://127.0.0.1:18888 > "$2" & local w=$!
  wrk -t1 -c"$CONNECTIONS" -d"$1s" -s "$LUA" http://127.0.0.1:18889 > "$3"
  wait $w
}
both "$WARMUP" /dev/null /dev/null
TA=0; TB=0
for round in $(seq 1 "$ROUNDS"); do
  both "$DURATION" /tmp/paired-admission.txt /tmp/paired-bare.txt
  a=$(awk '/requests in/ {print $1}' /tmp/paired-admission.txt)
  b=$(awk '/requests in/ {print $1}' /tmp/paired-bare.txt)
  TA=$((TA + a)); TB=$((TB + b))
  awk -v a="$a" -v b="$b" -v r="$round" -v d="$DURATION" \
    'BEGIN { printf "round %d: bare %.0f req/s, admission %.0f req/s, ratio %.1f%%\n", r, b/d, a/d, 100*a/b }'
done
awk -v a="$TA" -v b="$TB" -v n="$ROUNDS" -v d="$DURATION" 'BEGIN {
  printf "\nbare handler:       %.0f req/s (sharing the cores)\nconference-request: %.0f req/s (sharing the cores)\n", b/(n*d), a/(n*d)
  printf "ratio: %.1f%% of the bare handler\n", 100*a/b }'
