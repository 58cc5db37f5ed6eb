#!/usr/bin/env bash
# A flood and soak at a 256 MB heap (issue 17: "under a flood at a 256 MB heap the server answers 429/503,
# never runs out of memory, and health stays green").
#   benchmarks/run-flood.sh [seconds-per-phase] [connections]
# Phases, each against the same server:
#   1. conference-request for rooms never seen before   -> rooms reach admission.limits.max-rooms, then 503
#   2. raise-hand in made-up rooms from made-up clients  -> hands reach admission.promotion.max-hands, then 503
#   3. both at once (soak)
# Throughout, a probe asks /about/health and joins one real room every 0.5 s: both must keep answering 200.
# The JVM runs with -XX:+ExitOnOutOfMemoryError, so an OOM ends the run visibly. Heap after each phase is
# the live set after a full GC (jcmd GC.run + GC.heap_info); the peak is jstat's used heap, sampled each second.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_PHASE="${1:-60}"
CONNECTIONS="${2:-64}"
PORT=18890
URL="http://127.0.0.1:$PORT"
export FLOOD_STORE=/tmp/admission-flood-store
if ! command -v wrk >/dev/null; then apt-get install -y -q wrk >/dev/null 2>&1; fi
mvn -B -q -pl admission-server -am package -DskipTests
rm -rf "$FLOOD_STORE"
if curl -s -o /dev/null "$URL/"; then echo "port $PORT is in use" >&2; exit 1; fi

java -Xmx256m -Xms256m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -jar admission-server/target/admission-server-*-all.jar \
  --config benchmarks/wrk/flood.conf > /tmp/admission-flood-server.log 2>&1 & SERVER=$!
trap 'kill $SERVER $PROBE $HEAP 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "$URL/about/health" && break; sleep 0.1; done

join='{"room":"steady@conference.meet.jitsi","sessionId":"steady","properties":{"visitors-version":1}}'
curl -fsS -o /dev/null -X POST "$URL/conference-request/v1" -H 'Content-Type: application/json' -d "$join"
: > /tmp/admission-flood-probe.txt
( while kill -0 $SERVER 2>/dev/null; do
    h=$(curl -s -o /dev/null -m 2 -w '%{http_code} %{time_total}' "$URL/about/health" || echo "000 2")
    j=$(curl -s -o /dev/null -m 2 -w '%{http_code} %{time_total}' -X POST "$URL/conference-request/v1" \
        -H 'Content-Type: application/json' -d "$join" || echo "000 2")
    echo "$h $j" >> /tmp/admission-flood-probe.txt
    sleep 0.5
  done ) & PROBE=$!
: > /tmp/admission-flood-heap.txt
( while kill -0 $SERVER 2>/dev/null; do
    jstat -gc $SERVER 2>/dev/null | awk 'NR==2 { printf "%.1f\n", ($3+$4+$6+$8)/1024 }' >> /tmp/admission-flood-heap.txt
    sleep 1
  done ) & HEAP=$!

live() { jcmd $SERVER GC.run >/dev/null; jcmd $SERVER GC.heap_info | awk '/garbage-first heap/ { for (i=1;i<=NF;i++) if ($i=="used") { v=$(i+1); sub(/K,?/,"",v); printf "%.1f MB", v/1024 } }'; }
gauges() { curl -s "$URL/metrics" | grep -E '^admission_(rooms|hands|tickets|reserved_seats|pending_redirects|promotion_tracked_visitors)[ {]|^admission_http_responses_total.*(429|503)' | tr '\n' ' '; }
phase() {
  echo "== $1 (${SECONDS_PER_PHASE}s, $CONNECTIONS connections)"
  shift
  "$@"
  kill -0 $SERVER 2>/dev/null || { echo "FAIL: the server died (see /tmp/admission-flood-server.log)"; exit 1; }
  echo "live heap after a full GC: $(live)"
  echo "gauges: $(gauges)"
}
flood() { FLOOD_PATH=$1 wrk -t2 -c"$2" -d"${SECONDS_PER_PHASE}s" -s benchmarks/wrk/flood.lua "$URL" | grep -E "requests in|Requests/sec|statuses|socket errors"; }
phase "1. conference-request for new rooms" flood conference-request "$CONNECTIONS"
phase "2. raise-hand from new clients in new rooms" flood raise-hand "$CONNECTIONS"
both() { flood conference-request $((CONNECTIONS / 2)) & a=$!; flood raise-hand $((CONNECTIONS / 2)); wait $a; }
phase "3. both at once" both

kill $PROBE $HEAP 2>/dev/null || true
echo "== probe (every 0.5 s through all phases)"
awk '{ n++; if ($1 != 200) hbad++; if ($3 != 200) jbad++; if ($2 > hmax) hmax = $2; if ($4 > jmax) jmax = $4 }
     END { printf "health: %d probes, %d not 200, slowest %.0f ms; join of a known room: %d not 200, slowest %.0f ms\n",
           n, hbad, hmax * 1000, jbad, jmax * 1000 }' /tmp/admission-flood-probe.txt
sort -n /tmp/admission-flood-heap.txt | tail -1 | awk '{ printf "peak heap used (jstat, 1 s samples): %.1f MB of 256 MB\n", $1 }'
echo "OutOfMemoryError in the log: $(grep -c OutOfMemoryError /tmp/admission-flood-server.log || true)"
kill -TERM $SERVER; code=0; wait $SERVER || code=$?
echo "server exit after SIGTERM: $code (143 = clean); stack-trace lines in the log: $(grep -cE '^\s+at ' /tmp/admission-flood-server.log || true)"
