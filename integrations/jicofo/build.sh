#!/usr/bin/env bash
# Builds Jicofo with this library linked in: integrations/jicofo/build.sh JICOFO_GIT OUT
#
#   JICOFO_GIT  a git repository of jitsi/jicofo (bare or not) that holds the pinned commit (PINNED_COMMIT)
#   OUT         where the runnable dist goes: OUT/jicofo.sh, OUT/jicofo.jar, OUT/lib/ (Jicofo's and this library's jars)
#
# Steps: installs this repository's library into the local Maven repository (mvn -B -q install -DskipTests; skip
# with SKIP_LIBRARY_INSTALL=1), exports the pinned commit into a fresh directory, points Jicofo's visitor call
# sites at the library (patch.py: edits found by anchors, each checked to occur exactly once; the adapter
# src/.../JicofoAdmission.kt is copied in), builds with stock Smack 4.4.8 (Jicofo's fork 4.4.8-jitsi-4 is not on
# Maven Central; Jicofo compiles against stock Smack without a source change) and unpacks the dist into OUT.
# Nothing of Jicofo is kept in this repository; the work tree is removed afterwards (KEEP_WORK=1 keeps it).
# PATCH=0 builds the same commit the same way without the library (the comparison run of
# it-tests/jitsi-interop/focus-proof.sh).
# Needs: git, python3, Java 17, Maven 3.8, the package registries (Maven Central). First run: ~5 minutes on 2 cores.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
if [ $# -ne 2 ]; then
    echo "usage: $0 JICOFO_GIT OUT" >&2
    exit 2
fi
JICOFO_GIT="$1"
OUT="$2"
PINNED="$(tr -d '[:space:]' < "$HERE/PINNED_COMMIT")"

say() { echo "[build.sh] $*"; }

if ! git -C "$JICOFO_GIT" cat-file -e "$PINNED^{commit}" 2>/dev/null; then
    echo "$JICOFO_GIT does not hold jitsi/jicofo commit $PINNED (git -C $JICOFO_GIT fetch it first)" >&2
    exit 2
fi

VERSION="$(python3 -c 'import sys, xml.etree.ElementTree as t; n = {"m": "http://maven.apache.org/POM/4.0.0"}; print(t.parse(sys.argv[1]).getroot().find("m:version", n).text)' "$REPO/pom.xml")"
PATCH="${PATCH:-1}"
if [ "$PATCH" = 1 ] && [ "${SKIP_LIBRARY_INSTALL:-0}" != 1 ]; then
    say "installing the library $VERSION into the local Maven repository"
    (cd "$REPO" && mvn -B -q install -DskipTests)
fi

WORK="$(mktemp -d /tmp/jicofo-build.XXXXXX)"
cleanup() { if [ "${KEEP_WORK:-0}" = 1 ]; then say "work tree kept in $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

say "exporting jitsi/jicofo $PINNED"
git -C "$JICOFO_GIT" archive "$PINNED" | tar -x -C "$WORK"

if [ "$PATCH" = 1 ]; then
    say "pointing Jicofo's visitor call sites at the library"
    python3 "$HERE/patch.py" "$WORK" "$VERSION"
else
    say "PATCH=0: Jicofo as it is, without the library"
fi

say "building (stock Smack 4.4.8)"
(cd "$WORK" && mvn -B -q -DskipTests -Dsmack.version=4.4.8 -Dktlint.skip=true -Dspotbugs.skip=true \
    -Dcheckstyle.skip=true -Denforcer.skip=true -Dmaven.javadoc.skip=true -Djacoco.skip=true package)

ARCHIVE="$(ls "$WORK"/jicofo/target/jicofo-*-archive.zip)"
mkdir -p "$OUT"
UNPACK="$(mktemp -d "$WORK/unpack.XXXXXX")"
(cd "$UNPACK" && unzip -q "$ARCHIVE")
rm -rf "${OUT:?}/lib" "$OUT/jicofo.jar" "$OUT/jicofo.sh"
cp -r "$UNPACK"/jicofo-*/. "$OUT/"
# jicofo.sh reads lib/logging.properties when it is there; the archive does not carry it.
cp "$WORK/lib/logging.properties" "$OUT/lib/" 2>/dev/null || true
echo "$PINNED" > "$OUT/JICOFO_COMMIT"
say "done: $OUT/jicofo.sh ($(ls "$OUT/lib" | grep -c 'admission-' || true) admission jars in lib/, Jicofo $PINNED)"
