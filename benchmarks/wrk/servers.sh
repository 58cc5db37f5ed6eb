# Shared by run-wrk.sh and run-wrk-paired.sh (sourced, from the repository root): builds both servers
# and starts them with the same JVM flags, the admission server on 18888 and the bare handler on 18889.
# JVM_FLAGS_OVERRIDE replaces the flags, e.g. JVM_FLAGS_OVERRIDE="-Xms1g -Xmx1g -XX:+UseG1GC".
# WRK_CONTROL=1 puts a bare handler on both ports: a control run of either script.
JVM_FLAGS=(${JVM_FLAGS_OVERRIDE:--Xmx3072m -XX:+UseG1GC}) # Jicofo's start script: -Xmx3072m
LUA=benchmarks/wrk/conference-request.lua

if ! command -v wrk >/dev/null; then # Debian package 'wrk'
  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
fi
mvn -B -q -pl admission-server,benchmarks -am package -DskipTests
rm -rf /tmp/admission-bench-store

for port in 18888 18889; do # a server left over from an earlier run would be measured instead of this build
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "port $port is already in use: stop that server first" >&2; exit 1; fi
done
if [ "${WRK_CONTROL:-0}" = 1 ]; then
  # Control run: a second bare handler stands in for the admission server, so the printed ratio is the
  # method's own bias between the two sides (it should be within noise of 100 %).
  echo "WRK_CONTROL=1: port 18888 serves the bare handler too" >&2
  java "${JVM_FLAGS[@]}" -cp benchmarks/target/benchmarks.jar io.confgate.admission.bench.BareHandlerServer 18888 \
    > /tmp/admission-bench-server.log 2>&1 & ADM=$!
else
  java "${JVM_FLAGS[@]}" -jar admission-server/target/admission-server-*-all.jar --config benchmarks/wrk/admission-bench.conf \
    > /tmp/admission-bench-server.log 2>&1 & ADM=$!
fi
java "${JVM_FLAGS[@]}" -cp benchmarks/target/benchmarks.jar io.confgate.admission.bench.BareHandlerServer 18889 \
  > /tmp/bare-bench-server.log 2>&1 & BARE=$!
trap 'kill $ADM $BARE 2>/dev/null || true' EXIT
for port in 18888 18889; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done
for pid in $ADM $BARE; do # a server that failed to start would leave its port to whatever else answers there
  kill -0 "$pid" 2>/dev/null || { echo "a server did not start: see /tmp/*-bench-server.log" >&2; exit 1; }
done
