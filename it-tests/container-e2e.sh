#!/usr/bin/env bash
# The container image end to end with a real container runtime (Debian's podman), as the deployment runs it:
# a named volume for the store, kill -9 and a new container on the same volume, docker-stop style SIGTERM.
#
# Not part of `mvn -B verify`: it needs root, a container runtime and a JRE base image. The base comes from a
# registry when there is one (BASE=docker://eclipse-temurin:17-jre, Jib's default here); without registry access
# (this project's build machines) the script builds a Debian bookworm + openjdk-17-jre-headless base with
# debootstrap from the Debian mirror, once, cached under $CACHE.
#
#   sudo apt-get install -y podman runc debootstrap
#   it-tests/container-e2e.sh
#
# PODMAN and RUN_FLAGS adapt to the host; the defaults suit a sandbox on cgroup v1 whose root may not raise
# RLIMIT_NOFILE/NPROC (crun refuses hybrid cgroups; runc works).
set -euo pipefail
cd "$(dirname "$0")/.."

PODMAN=${PODMAN:-podman --runtime runc}
RUN_FLAGS=${RUN_FLAGS:---ulimit nofile=$(ulimit -Hn):$(ulimit -Hn) --ulimit nproc=4096:4096}
CACHE=${CACHE:-/var/tmp/admission-e2e}
PORT=${PORT:-18888}
NAME=admission-e2e
VOLUME=admission-e2e-data
ROOM=townhall@conference.meet.jitsi

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; $PODMAN logs "$NAME" 2>&1 | tail -30 >&2 || true; exit 1; }
cleanup() { $PODMAN rm -f "$NAME" >/dev/null 2>&1 || true; $PODMAN volume rm -f "$VOLUME" >/dev/null 2>&1 || true; }
trap cleanup EXIT

if [[ -z "${BASE:-}" ]]; then
  mkdir -p "$CACHE"
  if [[ ! -f "$CACHE/debian-jre17.tar" ]]; then
    say "building a JRE 17 base image with debootstrap (once)"
    rm -rf "$CACHE/rootfs"
    debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$CACHE/rootfs" http://deb.debian.org/debian >/dev/null
    tar -C "$CACHE/rootfs" -c . | $PODMAN import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - localhost/admission-e2e-base:bookworm-jre17 >/dev/null
    $PODMAN save --format docker-archive -o "$CACHE/debian-jre17.tar" localhost/admission-e2e-base:bookworm-jre17
    rm -rf "$CACHE/rootfs"
  fi
  BASE="tar://$CACHE/debian-jre17.tar"
fi

say "jib:buildTar on $BASE"
mvn -B -q -pl admission-server -am install -DskipTests
mvn -B -q -f admission-server jib:buildTar -Dadmission.image.base="$BASE"
IMAGE=$($PODMAN load -i admission-server/target/admission-server-image.tar | sed -n 's/^Loaded image: //p' | tail -1)
echo "image: $IMAGE"

start() {
  $PODMAN run -d --name "$NAME" $RUN_FLAGS -p "127.0.0.1:$PORT:8888" -v "$VOLUME:/var/lib/admission/data" "$IMAGE" >/dev/null
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$PORT/about/health" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  fail "the container did not become healthy"
}
join() {
  curl -fsS -X POST "http://127.0.0.1:$PORT/conference-request/v1" -H 'Content-Type: application/json' \
    -d "{\"room\":\"$ROOM\",\"sessionId\":\"$1\",\"properties\":{\"visitors-version\":1}}"
}

cleanup
$PODMAN volume create "$VOLUME" >/dev/null
say "first container"
start
uid=$($PODMAN exec "$NAME" sh -c 'id -u'); echo "process user id: $uid"
[[ "$uid" != 0 ]] || fail "runs as root"
$PODMAN exec "$NAME" java -cp @/app/jib-classpath-file io.confgate.admission.server.AdmissionServerMain --health-check \
  || fail "the health probe command fails on a healthy server"
main=0
for i in $(seq 1 30); do join "s$i" | grep -q '"vnode"' || main=$((main + 1)); done
echo "joins answered main: $main of 30"
[[ $main == 30 ]] || fail "expected 30 main"
join late | grep -q '"vnode"' || fail "the 31st is not redirected"
echo "31st join: redirected to a visitor node"
sleep 2 # past admission.store.write-interval (1 s)

say "kill -9, a new container on the same volume"
$PODMAN kill -s KILL "$NAME" >/dev/null
$PODMAN rm -f "$NAME" >/dev/null
start
answer=$(join after-restart)
echo "join after restart: $answer"
grep -q '"vnode"' <<<"$answer" || fail "the room lost its 30 held seats across the restart"

say "SIGTERM (podman stop), then the exit code and the time taken"
t0=$(date +%s.%N)
$PODMAN stop -t 30 "$NAME" >/dev/null
t1=$(date +%s.%N)
code=$($PODMAN inspect -f '{{.State.ExitCode}}' "$NAME")
awk -v a="$t0" -v b="$t1" -v c="$code" 'BEGIN { printf "stopped in %.1f s, exit code %s\n", b - a, c }'
[[ "$code" == 143 ]] || fail "exit code $code after SIGTERM (a kill by timeout is 137)"
$PODMAN logs "$NAME" 2>&1 | grep -iE "drain|store|stopp" | tail -5 || true
say "PASS"
