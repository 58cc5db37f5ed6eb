#!/usr/bin/env bash
# The main room counted where users end up, for three focuses against Jitsi's REAL Prosody modules.
#
# Two Prosodies as in run.sh (prosodies.sh: a main Prosody with mod_visitors, mod_visitors_component and
# mod_muc_meeting_id, a visitor node v1 with mod_fmuc and mod_muc_meeting_id), the visitors component WITHOUT
# auto_allow_visitor_promotion (moderated promotion: once a node is connected it refuses every main-room join that
# was not promoted), max-participants = 30. For each focus, in turn:
#   patched     Jicofo with this library linked in (integrations/jicofo/build.sh)
#   plain       the same Jicofo commit without it (PATCH=0 build.sh)
#   standalone  this repository's server, on Jicofo's keys, with a stand-in for Jicofo's main-room focus
# four arrival patterns of 100 participants, each doing what lib-jitsi-meet does (crowd.py: the conference request,
# ready=false asked again with its backoff, then a real anonymous join of the main MUC when not sent to a node, and
# staying): burst20 (waves of 20), rate10 (10 a second), one-then-burst20, and restart-burst20 (the burst right
# after the focus was restarted, as soon as its HTTP port answers). Counted: main answers, occupants of the real
# main MUC (Prosody's own list, read with prosodyctl shell), joins refused, requests never answered, and whether a
# visitor then gets into its v1 room.
#
# Pass (patched and standalone, every pattern): exactly 30 main answers, exactly 30 in the main MUC, no join refused,
# every request answered, the other 70 sent to v1, the visitor in the v1 room. The plain Jicofo is reported only.
#
# Usage: JICOFO_PATCHED=DIST JICOFO_PLAIN=DIST [PLUGINS_DIR=…] [SERVER_JAR=…] it-tests/jitsi-interop/focus-proof.sh
#   DIST: a dist made by integrations/jicofo/build.sh (jicofo.sh, lib/). SYSTEMS="patched standalone" and
#   PATTERNS="burst20 rate10" run a subset. Other knobs: MAIN_C2S, NODE_C2S, HTTP_PORT, PYTHON, KEEP_WORK=1.
# Prerequisites: prosodies.sh; Java 17 for Jicofo and the server. Takes about 15 minutes for all three.
set -u

HERE="$(cd "$(dirname "$0")" && pwd)"
PLUGINS_DIR="${PLUGINS_DIR:-/usr/share/jitsi-meet/prosody-plugins}"
SERVER_JAR="${SERVER_JAR:-$(ls "$HERE"/../../admission-server/target/admission-server-*-all.jar 2>/dev/null | head -1)}"
JICOFO_PATCHED="${JICOFO_PATCHED:-}"
JICOFO_PLAIN="${JICOFO_PLAIN:-}"
MAIN_C2S="${MAIN_C2S:-25222}"
NODE_C2S="${NODE_C2S:-25223}"
HTTP_PORT="${HTTP_PORT:-18898}"
PYTHON="${PYTHON:-/usr/bin/python3}"
PASSWORD="proof-$$"
SYSTEMS="${SYSTEMS:-patched plain standalone}"
PATTERNS="${PATTERNS:-burst20 rate10 one-then-burst20 restart-burst20}"
MAX=30
COUNT=100
AUTO_ALLOW=false

# shellcheck source=prosodies.sh
. "$HERE/prosodies.sh"

missing=""
for system in $SYSTEMS; do
    case "$system" in
        patched) [ -x "$JICOFO_PATCHED/jicofo.sh" ] || missing="$missing JICOFO_PATCHED(${JICOFO_PATCHED:-unset})" ;;
        plain) [ -x "$JICOFO_PLAIN/jicofo.sh" ] || missing="$missing JICOFO_PLAIN(${JICOFO_PLAIN:-unset})" ;;
        standalone) [ -n "$SERVER_JAR" ] && [ -f "$SERVER_JAR" ] || missing="$missing server-jar(${SERVER_JAR:-none})" ;;
        *) missing="$missing unknown-system($system)" ;;
    esac
done
check_prerequisites "$missing" "127.0.0.1:$HTTP_PORT"
say "work directory $WORK; plugins $PLUGINS_DIR"
configure_prosodies
start_prosodies

URL="http://127.0.0.1:$HTTP_PORT/conference-request/v1"
FOCUS_PID=""
RESULTS="$WORK/results.tsv"
printf 'system\tpattern\tmain answers\tin main MUC\trefused\tunanswered\tsent to v1\tvisitor in v1\tseconds\n' > "$RESULTS"

jicofo_conf() {   # jicofo_conf SYSTEM: Jicofo's own keys only (the library reads them, and admission.* if any)
    cat > "$WORK/$1.conf" <<CONF
jicofo {
  xmpp {
    client {
      hostname = "127.0.0.1", port = $MAIN_C2S, domain = "auth.meet.jitsi", xmpp-domain = "meet.jitsi"
      username = "focus", password = "$PASSWORD", conference-muc-jid = "conference.meet.jitsi", use-tls = false
    }
    visitors.v1 {
      enabled = true, hostname = "127.0.0.2", port = $NODE_C2S, domain = "auth.v1.meet.jitsi"
      xmpp-domain = "v1.meet.jitsi", conference-service = "conference.v1.meet.jitsi", username = "focus"
      password = "$PASSWORD", use-tls = false
    }
  }
  visitors { enabled = true, max-participants = $MAX }
  rest { host = "127.0.0.1", port = $HTTP_PORT }
}
CONF
}

server_conf() {
    cat > "$WORK/standalone.conf" <<CONF
jicofo.visitors { enabled = true, max-participants = $MAX }
jicofo.xmpp.client {
  hostname = "127.0.0.1", port = $MAIN_C2S, domain = "auth.meet.jitsi", xmpp-domain = "meet.jitsi"
  username = "focus", password = "$PASSWORD", conference-muc-jid = "conference.meet.jitsi", use-tls = false
}
jicofo.xmpp.visitors.v1 {
  hostname = "127.0.0.2", port = $NODE_C2S, domain = "auth.v1.meet.jitsi", xmpp-domain = "v1.meet.jitsi"
  username = "focus", password = "$PASSWORD", conference-service = "conference.v1.meet.jitsi", use-tls = false
}
jicofo.rest { host = "127.0.0.1", port = $HTTP_PORT }
admission.xmpp.enabled = true
admission.store.path = "$WORK/standalone-store"
CONF
}

http_up() { curl -s -o /dev/null -m 2 -X POST "$URL" -H 'Content-Type: application/json' -d '{}' 2>/dev/null; }
# Ready when a conference request is answered with visitors-supported (the focus found the visitors component).
focus_ready() {
    curl -s -m 15 -X POST "$URL" -H 'Content-Type: application/json' \
        -d "{\"room\":\"probe-$1@conference.meet.jitsi\",\"machineUid\":\"probe\",\"properties\":{\"visitors-version\":1}}" \
        2>/dev/null | grep -q '"visitors-supported":"true"'
}

start_focus() {   # start_focus SYSTEM [quick]: quick returns once the HTTP port answers
    local system="$1"
    case "$system" in
        patched|plain)
            local dist="$JICOFO_PATCHED"; [ "$system" = plain ] && dist="$JICOFO_PLAIN"
            jicofo_conf "$system"
            JAVA_SYS_PROPS="-Dconfig.file=$WORK/$system.conf" JICOFO_MAX_MEMORY=1g "$dist/jicofo.sh" \
                >> "$WORK/$system.log" 2>&1 &
            ;;
        standalone)
            server_conf
            java -jar "$SERVER_JAR" --config "$WORK/standalone.conf" >> "$WORK/standalone.log" 2>&1 &
            ;;
    esac
    FOCUS_PID=$!
    PIDS+=($FOCUS_PID)
    wait_until 60 http_up || { fail "$system: no HTTP answer within 60 s"; tail -20 "$WORK/$system.log" | indent; return 1; }
    if [ "${2:-}" != quick ]; then
        wait_until 60 focus_ready "$system" || { fail "$system: visitors not supported within 60 s"; return 1; }
    fi
}

stop_focus() { [ -n "$FOCUS_PID" ] && stop_pid "$FOCUS_PID"; FOCUS_PID=""; }

# in_room ROOM: occupants of the main MUC room as Prosody holds them, the focus (nick focus) not counted.
in_room() {
    prosodyctl --config "$WORK/main.cfg.lua" shell ">local r = prosody.hosts['conference.meet.jitsi'].modules.muc.get_room_from_jid('$1') local n = 0 if r then for _, o in r:each_occupant() do if not o.nick:match('/focus\$') then n = n + 1 end end end return 'OCCUPANTS=' .. n" 2>/dev/null \
        | grep -o 'OCCUPANTS=[0-9]*' | cut -d= -f2
}

json() { "$PYTHON" -c "import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(eval(sys.argv[2], {}, d))" "$@"; }

run_pattern() {   # run_pattern SYSTEM PATTERN
    local system="$1" pattern="$2" crowd_pattern="$2" room out pid n
    room="$system-${pattern//[^a-z0-9]/}@conference.meet.jitsi"
    if [ "$pattern" = restart-burst20 ]; then
        crowd_pattern=burst20
        say "      restarting $system"
        stop_focus
        start_focus "$system" quick || return
    fi
    if [ "$system" = standalone ]; then
        main_focus "stand-in-$pattern" "$room"   # the room's focus, as Jicofo would be (it creates and unlocks it)
        wait_until 10 client_done "stand-in-$pattern"
    fi
    out="$WORK/crowd-$system-$pattern.json"
    "$PYTHON" "$HERE/crowd.py" --url "$URL" --room "$room" --port "$MAIN_C2S" --node-port "$NODE_C2S" \
        --count "$COUNT" --pattern "$crowd_pattern" --visitor-check --hold 600 > "$out" 2> "$out.err" &
    pid=$!
    PIDS+=($pid)
    wait_until 400 test -s "$out" || { fail "$system $pattern: the crowd did not settle"; stop_pid "$pid"; return; }
    n="$(in_room "$room")"
    stop_pid "$pid"
    local main refused unanswered vnode visitor seconds
    main="$(json "$out" main_answers)"
    refused="$(json "$out" main_refused)"
    unanswered="$(json "$out" "unanswered + main_not_joined")"
    vnode="$(json "$out" "vnode.get('v1', 0)")"
    visitor="$(json "$out" "visitor['result'] + ' after ' + str(visitor.get('after', '')) + ' s'")"
    seconds="$(json "$out" seconds)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$system" "$pattern" "$main" "${n:-?}" "$refused" "$unanswered" \
        "$vnode" "$visitor" "$seconds" >> "$RESULTS"
    local line="$system $pattern: main answers $main, in the main MUC ${n:-?}, refused $refused, unanswered $unanswered, sent to v1 $vnode, visitor $visitor"
    if [ "$system" = plain ]; then
        say "      REPORT $line"
        json "$out" "refusals" | indent
    elif [ "$main" = "$MAX" ] && [ "${n:-}" = "$MAX" ] && [ "$refused" = 0 ] && [ "$unanswered" = 0 ] \
         && [ "$vnode" = $((COUNT - MAX)) ] && [[ "$visitor" == JOINED* ]]; then
        pass "$line"
    else
        fail "$line"
        json "$out" "refusals + errors" | indent
    fi
}

for system in $SYSTEMS; do
    say "=== $system"
    start_focus "$system" || { stop_focus; continue; }
    for pattern in $PATTERNS; do
        run_pattern "$system" "$pattern"
    done
    stop_focus
done

say "results (max-participants = $MAX, $COUNT participants per pattern; auto_allow_visitor_promotion = $AUTO_ALLOW):"
column -t -s $'\t' "$RESULTS" | indent
if [ "$FAILED" -eq 0 ]; then say "RESULT: PASS"; else say "RESULT: FAIL ($FAILED)"; fi
[ "$FAILED" -eq 0 ]
