#!/usr/bin/env bash
# Interop check of the standalone admission server against Jitsi's REAL Prosody modules.
#
# What it proves (the "done when" of the visitors XMPP work): the standalone server, configured only with
# the jicofo.conf keys an operator already has (jicofo.xmpp.client, jicofo.xmpp.visitors.v1), against
# two Prosodies running Jitsi's own modules (mod_visitors + mod_visitors_component + mod_muc_meeting_id
# on the main Prosody, mod_fmuc + mod_muc_meeting_id on visitor node v1, federated over s2s):
#   1. the Prosodies load Jitsi's modules,
#   2. the server logs in on both and discovers the visitors component from mod_visitors' disco identity,
#   3. a participant is in the main room (after a stand-in for Jicofo's main-room focus, see below),
#   4. the second conference request is redirected to v1,
#   5. the server's focus creates room@conference.v1.meet.jitsi on the node,
#   6. mod_visitors_component acknowledges connect-vnode, and mod_visitors sends update + connect to the
#      node, where mod_fmuc releases the pre-join queue (the main participant is mirrored there),
#   7. a visitor (anonymous on v1.meet.jitsi) joins the node room and gets its self-presence (110),
#   8. negative control: in a node room that the focus created but for which no connect-vnode was sent,
#      a visitor stays in mod_muc_meeting_id's pre-join queue (no self-presence within 6 s).
# The node lock of steps 6-8 holds only when mod_fmuc's 'jicofo-unlock-room' handler runs before
# mod_muc_meeting_id's (both priority 0). On Prosody 0.12.3 that order follows module load order, which
# changes from one start to the next; the script asks the node which order it got (admin shell) and
# restarts it until mod_fmuc's comes first, so that step 7 shows the room was opened by the connect
# (with the other order the focus's own join opens the room and step 8 would fail).
# Extra checks (printed as EXTRA PASS/FAIL; they count in the exit status only with STRICT=1) compare
# the server with what Jicofo does when the node room's life cycle is driven by the modules:
#   E1. mod_fmuc destroys a node room 15 s after its last visitor left; Jicofo then sends
#       disconnect-vnode and, for the next visitor, joins again and sends connect-vnode. Checked: a
#       visitor redirected after that can join.
#   E2. a visitor that stays in the node room keeps it: nothing destroys it after
#       jicofo.visitors.vnode-join-latency-interval (LINK_EXPIRY) while the visitor is in it.
#   E3. kill -9 of the server right after it linked a conference, a start on its store with the Prosodies
#       running: the next redirected visitor gets into the node room (the first link after a start is reset).
#
# Run by hand, not in `mvn verify`: Jitsi's Prosody plugins are not in Debian's archive (they come with
# jitsi-meet-prosody from Jitsi's own repository, or a checkout of jitsi-meet's
# resources/prosody-plugins/), and the check needs 127.0.0.1 and 127.0.0.2 port 5269.
#
# Prerequisites: see prosodies.sh (Debian packages, Jitsi's plugins in PLUGINS_DIR).
#   The server's jar: mvn -pl admission-server -am package (SERVER_JAR, default the one in target/).
#
# Usage: [PLUGINS_DIR=…] [SERVER_JAR=…] it-tests/jitsi-interop/run.sh [PLUGINS_DIR [SERVER_JAR]]
# Other knobs: MAIN_C2S (25222), NODE_C2S (25223), HTTP_PORT (18899), LINK_EXPIRY (60, seconds),
# PYTHON (/usr/bin/python3, needs slixmpp), KEEP_WORK=1 (keep the work directory), STRICT=1.
# Everything runs in a fresh directory under /tmp; every process started here is stopped on exit.
set -u

HERE="$(cd "$(dirname "$0")" && pwd)"
PLUGINS_DIR="${1:-${PLUGINS_DIR:-/usr/share/jitsi-meet/prosody-plugins}}"
SERVER_JAR="${2:-${SERVER_JAR:-$(ls "$HERE"/../../admission-server/target/admission-server-*-all.jar 2>/dev/null | head -1)}}"
MAIN_C2S="${MAIN_C2S:-25222}"
NODE_C2S="${NODE_C2S:-25223}"
HTTP_PORT="${HTTP_PORT:-18899}"
LINK_EXPIRY="${LINK_EXPIRY:-60}"
PYTHON="${PYTHON:-/usr/bin/python3}"
PASSWORD="interop-$$"
STRICT="${STRICT:-0}"

# shellcheck source=prosodies.sh
. "$HERE/prosodies.sh"

metric() { curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
metric_at_least() { local v; v="$(metric "$1")"; [ -n "$v" ] && awk -v v="$v" -v n="$2" 'BEGIN { exit !(v >= n) }'; }

conference_request() {
    curl -s -X POST "http://127.0.0.1:$HTTP_PORT/conference-request/v1" -H 'Content-Type: application/json' \
        -d "{\"room\":\"$1\",\"sessionId\":\"$2\",\"properties\":{\"visitors-version\":1}}"
}
main_participant() {
    client "$1" --host 127.0.0.1 --port "$MAIN_C2S" --domain meet.jitsi --room "$2" --nick "$1" --hold
}
visitor() {      # visitor NAME ROOM TIMEOUT [--hold]
    client "$1" --host 127.0.0.2 --port "$NODE_C2S" --domain v1.meet.jitsi --room "$2" --nick "$1" --timeout "$3" ${4:-}
}

# ---------------------------------------------------------------------------------------------------
say "work directory $WORK"
say "plugins $PLUGINS_DIR"
say "server jar $SERVER_JAR"

# Prerequisites ---------------------------------------------------------------------------------------
missing=""
[ -n "$SERVER_JAR" ] && [ -f "$SERVER_JAR" ] || missing=" server-jar(${SERVER_JAR:-none})"
check_prerequisites "$missing" "127.0.0.1:$HTTP_PORT"

# Configuration and step 1: the Prosodies load Jitsi's modules ----------------------------------------
configure_prosodies
fill "$HERE/server.conf.in" "$WORK/server.conf"
start_prosodies

# Step 2: the server logs in on both Prosodies and discovers the component ---------------------------
start_server() {
    java -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.log.io.confgate=debug \
        -jar "$SERVER_JAR" --config "$WORK/server.conf" >> "$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=($SERVER_PID)
}
start_server
if wait_until 40 metric_at_least 'admission_xmpp_connected{connection="main"}' 1 \
   && wait_until 10 metric_at_least 'admission_xmpp_connected{connection="v1"}' 1 \
   && wait_until 20 metric_at_least admission_visitors_available 1; then
    pass "2 server connected to main and v1, visitors component discovered:" \
         "$(grep -o 'Visitors component at .*' "$WORK/server.log" | head -1)"
else
    fail "2 server connected / component discovered"; tail -20 "$WORK/server.log" | indent; exit 1
fi

# Step 3: a participant in the main room --------------------------------------------------------------
# The main MUC is configured as in Jitsi's prosody.cfg.lua-jvb.example: restrict_room_creation = true and
# mod_muc_meeting_id, so the room is created by, and unlocked for others when, a nick 'focus' joins.
# Jicofo's own focus does that; this server does not join main rooms, so a stand-in client logged in as
# focus@auth.meet.jitsi (resource main-focus) plays that part. It is an admin: mod_visitors does not
# mirror it to the node and the visitors component does not gate it.
ROOM="room@conference.meet.jitsi"
NODE_ROOM="room@conference.v1.meet.jitsi"
main_focus main-focus "$ROOM"
wait_until 10 client_done main-focus
main_participant participant1 "$ROOM"
if wait_until 10 client_done participant1 && client_says participant1 '^JOINED'; then
    pass "3 participant1 (anonymous on meet.jitsi) is in $ROOM: $(grep '^JOINED' "$WORK/clients/participant1.out")"
else
    fail "3 participant1 in the main room"; cat "$WORK/clients/main-focus.out" "$WORK/clients/participant1.out" | indent; exit 1
fi

# Step 4: two conference requests, the second is redirected to v1 -------------------------------------
r1="$(conference_request "$ROOM" s1)"
r2="$(conference_request "$ROOM" s2)"
T_REDIRECT=$(date +%s)
if ! echo "$r1" | grep -q '"vnode"' && echo "$r2" | grep -q '"vnode":"v1"'; then
    pass "4 s1 → main, s2 → vnode v1"; echo "$r1" | indent; echo "$r2" | indent
else
    fail "4 redirect to v1"; echo "$r1" | indent; echo "$r2" | indent; exit 1
fi

# Step 5: the focus creates the node room -------------------------------------------------------------
if wait_until 15 has_line "$WORK/node/prosody.log" "muc_meeting_id.*Created meetingId:.* for $NODE_ROOM"; then
    pass "5 focus@auth.v1.meet.jitsi created $NODE_ROOM (as owner, nick focus)"
    grep -E "Received\[c2s\]: <presence [^>]*to='$NODE_ROOM/focus'|Created meetingId:.* for $NODE_ROOM" "$WORK/node/prosody.log" | indent
else
    fail "5 node room created by the focus"; tail -20 "$WORK/server.log" | indent
fi

# Step 6: connect-vnode acknowledged by mod_visitors_component, connect delivered to the node ----------
if wait_until 20 metric_at_least 'admission_xmpp_vnode_links_total{result="acknowledged"}' 1 \
   && wait_until 10 has_line "$WORK/node/prosody.log" "Occupant processed from queue $NODE_ROOM/participant1"; then
    pass "6 connect-vnode acknowledged (admission_xmpp_vnode_links_total{result=\"acknowledged\"} =" \
         "$(metric 'admission_xmpp_vnode_links_total{result="acknowledged"}'), failed =" \
         "$(metric 'admission_xmpp_vnode_links_total{result="failed"}')); node room unlocked by mod_fmuc"
    # (Prosody writes attributes in no fixed order)
    grep -E "Received\[c2s\]: <iq [^>]*to='visitors.meet.jitsi'|Sending\[c2s\]: <iq [^>]*from='visitors.meet.jitsi'|Sending\[s2sout\]: <(iq|presence) [^>]*conference.v1.meet.jitsi" \
        "$WORK/main/prosody.log" | head -8 | indent
    grep -E "Received\[s2sin\]: <(iq|presence) [^>]*to='(conference.v1.meet.jitsi|$NODE_ROOM/participant1)'|prejoin queue $NODE_ROOM|processed from queue $NODE_ROOM" \
        "$WORK/node/prosody.log" | head -8 | indent
else
    fail "6 connect-vnode acknowledged and node room unlocked"
    curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | grep vnode_links | indent
    tail -20 "$WORK/server.log" | indent
    grep -E "visitors|fmuc|warn|error" "$WORK/main/prosody.log" "$WORK/node/prosody.log" | tail -20 | indent
fi

# Step 7: a visitor joins the node room ---------------------------------------------------------------
visitor visitor1 "$NODE_ROOM" 10
if wait_until 15 client_done visitor1 && client_says visitor1 '^JOINED'; then
    pass "7 visitor1 (anonymous on v1.meet.jitsi) joined $NODE_ROOM: $(grep '^JOINED' "$WORK/clients/visitor1.out")" \
         "$(client_says visitor1 'OCCUPANT nick=participant1' && echo '; sees main participant1 mirrored over s2s')"
else
    fail "7 visitor joins the node room"; cat "$WORK/clients/visitor1.out" | indent
    grep "$NODE_ROOM" "$WORK/node/prosody.log" | tail -10 | indent
fi
T_VISITOR_LEFT=$(date +%s)   # visitor1 leaves once joined (no --hold)

# E2 set-up (runs alongside): a visitor that stays in its node room -----------------------------------
HELD="held@conference.meet.jitsi"
HELD_NODE="held@conference.v1.meet.jitsi"
main_focus held-focus "$HELD"
wait_until 10 client_done held-focus
main_participant held-participant "$HELD"
wait_until 10 client_done held-participant
conference_request "$HELD" h1 >/dev/null
h2="$(conference_request "$HELD" h2)"
T_HELD=$(date +%s)
wait_until 15 has_line "$WORK/node/prosody.log" "processed from queue $HELD_NODE/held-participant"
visitor held-visitor "$HELD_NODE" 10 --hold

# Step 8: negative control ----------------------------------------------------------------------------
# The node room exists (created by a focus, as in step 5) but no connect-vnode was sent for it.
CONTROL_NODE="control@conference.v1.meet.jitsi"
client control-focus --host 127.0.0.2 --port "$NODE_C2S" --domain auth.v1.meet.jitsi --user focus \
    --password "$PASSWORD" --resource control --room "$CONTROL_NODE" --nick focus --hold
wait_until 10 client_done control-focus
visitor control-visitor "$CONTROL_NODE" 6
wait_until 12 client_done control-visitor
if client_says control-focus '^JOINED' && client_says control-visitor '^NOT_JOINED'; then
    pass "8 negative control: no connect-vnode for $CONTROL_NODE → the visitor stays queued (no self-presence in 6 s)"
    grep "prejoin queue $CONTROL_NODE" "$WORK/node/prosody.log" | indent
else
    fail "8 negative control (expected NOT_JOINED)"; cat "$WORK/clients/control-focus.out" "$WORK/clients/control-visitor.out" | indent
    grep "$CONTROL_NODE" "$WORK/node/prosody.log" | tail -8 | indent
fi

# E1: mod_fmuc destroys the node room after 15 s without visitors; the next visitor must find it again --
if wait_until 30 has_line "$WORK/node/prosody.log" "fmuc.*Will destroy:$NODE_ROOM "; then
    say "      mod_fmuc destroyed $NODE_ROOM ($(grep -o "Will destroy:$NODE_ROOM .*" "$WORK/node/prosody.log" | head -1))"
    acks_before="$(metric 'admission_xmpp_vnode_links_total{result="acknowledged"}')"
    r3="$(conference_request "$ROOM" s3)"
    sleep 4
    visitor visitor3 "$NODE_ROOM" 8
    wait_until 12 client_done visitor3
    if echo "$r3" | grep -q '"vnode":"v1"' && client_says visitor3 '^JOINED'; then
        extra_pass "E1 after mod_fmuc destroyed the node room, the next redirected visitor joins it: $(grep '^JOINED' "$WORK/clients/visitor3.out")"
    else
        extra_fail "E1 after mod_fmuc destroyed $NODE_ROOM ('No visitors'), s3 was sent to" \
            "$(echo "$r3" | grep -o '"vnode":"[^"]*"' || echo main) and the visitor got:" \
            "$(grep -E '^(ERROR|NOT_JOINED)' "$WORK/clients/visitor3.out" | cut -c1-120)." \
            "connect-vnode acks before/after: $acks_before/$(metric 'admission_xmpp_vnode_links_total{result="acknowledged"}')." \
            "Jicofo (VisitorChatRoomListener.roomDestroyed) leaves, sends disconnect-vnode, and joins + connect-vnode again for the next visitor"
        grep -E "Will destroy:$NODE_ROOM|<presence [^>]*to='$NODE_ROOM/visitor3'|<presence [^>]*from='$NODE_ROOM/visitor3'[^>]*type='error'|<presence [^>]*type='error'[^>]*from='$NODE_ROOM/visitor3'" "$WORK/node/prosody.log" | head -6 | indent
    fi
else
    extra_fail "E1 mod_fmuc did not destroy $NODE_ROOM within 30 s of the last visitor leaving (unexpected)"
fi

# E2: the held visitor stays until LINK_EXPIRY + 10 s after its redirect -------------------------------
if client_says held-visitor '^JOINED'; then
    deadline=$(( T_HELD + LINK_EXPIRY + 10 ))
    say "      held-visitor is in $HELD_NODE; watching it until $(date -d "@$deadline" +%T) (LINK_EXPIRY=$LINK_EXPIRY s + 10 s)"
    while [ "$(date +%s)" -lt "$deadline" ] && ! client_says held-visitor '^DESTROYED'; do sleep 1; done
    if client_says held-visitor '^DESTROYED'; then
        extra_fail "E2 $HELD_NODE was destroyed with held-visitor in it, $(( $(date +%s) - T_HELD )) s after its redirect:" \
            "$(grep '^DESTROYED' "$WORK/clients/held-visitor.out")." \
            "The server sent disconnect-vnode when the redirect expired (no occupancy report without mod_event_sync_component);" \
            "the component acknowledged it and mod_fmuc destroyed the room. Jicofo counts visitors from the presences mod_fmuc forwards to the focus in the node room."
        grep -E "Received\[c2s\]: <iq [^>]*to='visitors.meet.jitsi'|Sending\[c2s\]: <iq [^>]*from='visitors.meet.jitsi'" "$WORK/main/prosody.log" | tail -2 | indent
        grep -E "Will destroy:$HELD_NODE" "$WORK/node/prosody.log" | indent
    else
        extra_pass "E2 held-visitor still in $HELD_NODE $(( $(date +%s) - T_HELD )) s after its redirect"
    fi
else
    extra_fail "E2 held-visitor did not join $HELD_NODE: $(tail -2 "$WORK/clients/held-visitor.out" | tr '\n' ' ')"
fi

# E3: the server killed (kill -9) right after it linked a conference to v1, started again on its store, with the
# Prosodies still running: mod_visitors still counts v1 connected for the conference (connect_vnode connects a node
# once, only disconnect_vnode forgets it), so a plain connect-vnode would send nothing and leave a new node room
# locked. The restarted server must get a newly redirected visitor into the node room.
CRASH="crash@conference.meet.jitsi"
CRASH_NODE="crash@conference.v1.meet.jitsi"
# No main participant in the room: none is mirrored into the node room, so mod_fmuc ends it when the killed
# focus's session goes, while mod_visitors keeps counting v1 connected (the stranding the issue saw).
main_focus crash-focus "$CRASH"
wait_until 10 client_done crash-focus
acks_before="$(metric 'admission_xmpp_vnode_links_connected')"
conference_request "$CRASH" c1 >/dev/null
c2="$(conference_request "$CRASH" c2)"
if echo "$c2" | grep -q '"vnode":"v1"' && wait_until 15 metric_at_least admission_xmpp_vnode_links_connected \
        "$(( ${acks_before%.*} + 1 ))"; then
    kill -KILL "$SERVER_PID"
    say "      linked $CRASH to v1, then kill -9 of the server; starting it again on its store"
    start_server
    wait_until 40 metric_at_least admission_visitors_available 1
    wait_until 20 metric_at_least 'admission_xmpp_connected{connection="v1"}' 1
    sleep 1
    c3="$(conference_request "$CRASH" c3)"
    visitor crash-visitor "$CRASH_NODE" 20
    wait_until 25 client_done crash-visitor
    if echo "$c3" | grep -q '"vnode":"v1"' && client_says crash-visitor '^JOINED'; then
        extra_pass "E3 after kill -9 and a start on the store, the next redirected visitor joins $CRASH_NODE:" \
            "$(grep '^JOINED' "$WORK/clients/crash-visitor.out") ($(grep -o 'Resetting the link of crash[^:]*: .*\|Linked crash[^ ]* to node v1' "$WORK/server.log" | tail -2 | tr '\n' ';'))"
    else
        extra_fail "E3 after kill -9 and a start on the store: c3 $(echo "$c3" | grep -o '"vnode":"[^"]*"' || echo main)," \
            "visitor: $(grep -E '^(ERROR|NOT_JOINED)' "$WORK/clients/crash-visitor.out" | cut -c1-120)"
        tail -15 "$WORK/server.log" | indent
    fi
else
    extra_fail "E3 set-up: $CRASH was not linked to v1 ($c2)"
fi

# Summary ---------------------------------------------------------------------------------------------
say "server metrics:"
curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | grep -E '^admission_(xmpp_(connected|vnode_links_total)|visitors_available)' | indent
if [ "$FAILED" -eq 0 ]; then say "RESULT: PASS (steps 1-8); extra checks failed: $EXTRA_FAILED"; else say "RESULT: FAIL ($FAILED steps failed; extra checks failed: $EXTRA_FAILED)"; fi
rc=0; [ "$FAILED" -eq 0 ] || rc=1; [ "$STRICT" = 1 ] && [ "$EXTRA_FAILED" -gt 0 ] && rc=1
exit $rc
