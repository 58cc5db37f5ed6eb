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
#
# Run by hand, not in `mvn verify`: Jitsi's Prosody plugins are not in Debian's archive (they come with
# jitsi-meet-prosody from Jitsi's own repository, or a checkout of jitsi-meet's
# resources/prosody-plugins/), and the check needs 127.0.0.1 and 127.0.0.2 port 5269.
#
# Prerequisites (Debian 12, as root, because the Prosodies run as root with run_as_root):
#   apt-get install prosody lua-cjson lua-inspect lua-basexx lua-luaossl lua-sec lua-unbound \
#                   python3-slixmpp openjdk-17-jre-headless curl
#   (lua-* are the Depends of Debian's jitsi-meet-prosody package.) Debian 12's prosody runs on Lua 5.4
#   but lua-inspect and lua-basexx install only for Lua <= 5.3; this script adds their 5.3 / 5.2
#   directories to LUA_PATH_5_4 (Jitsi issue jitsi/jitsi-meet#14918 is the same failure).
#   Jitsi's plugins in PLUGINS_DIR (default /usr/share/jitsi-meet/prosody-plugins, where
#   jitsi-meet-prosody installs them), at least: mod_visitors.lua, mod_visitors_component.lua,
#   mod_fmuc.lua, mod_muc_meeting_id.lua, mod_jitsi_permissions.lua, mod_auth_jitsi-anonymous.lua,
#   util.lib.lua, token/util.lib.lua, luajwtjitsi.lib.lua.
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

WORK="$(mktemp -d /tmp/jitsi-interop.XXXXXX)"
PIDS=()
FAILED=0
EXTRA_FAILED=0

say() { echo "[$(date +%T)] $*"; }
pass() { say "PASS  $*"; }
fail() { say "FAIL  $*"; FAILED=$((FAILED + 1)); }
extra_pass() { say "EXTRA PASS  $*"; }
extra_fail() { say "EXTRA FAIL  $*"; EXTRA_FAILED=$((EXTRA_FAILED + 1)); }
indent() { sed 's/^/        | /'; }

cleanup() {
    local pid i
    # clients and the server first, then the Prosodies
    for (( i=${#PIDS[@]}-1; i>=0; i-- )); do kill -TERM "${PIDS[$i]}" 2>/dev/null; done
    for _ in $(seq 1 30); do
        local alive=0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.5
    done
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    if [ "${KEEP_WORK:-0}" = 1 ] || [ "$FAILED" -gt 0 ] || [ "$EXTRA_FAILED" -gt 0 ]; then
        say "logs kept in $WORK (main/prosody.log, node/prosody.log, server.log, clients/*.out)"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_until SECONDS COMMAND...: polls COMMAND every 0.5 s.
wait_until() {
    local limit=$(( $1 * 2 )); shift
    for _ in $(seq 1 "$limit"); do "$@" && return 0; sleep 0.5; done
    "$@"
}
metric() { curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
metric_at_least() { local v; v="$(metric "$1")"; [ -n "$v" ] && awk -v v="$v" -v n="$2" 'BEGIN { exit !(v >= n) }'; }
has_line() { grep -q -- "$2" "$1" 2>/dev/null; }

# client NAME ARGS...: a muc_client.py in the background, output in clients/NAME.out
client() {
    local name="$1"; shift
    "$PYTHON" "$HERE/muc_client.py" "$@" > "$WORK/clients/$name.out" 2>&1 &
    PIDS+=($!)
}
client_says() { has_line "$WORK/clients/$1.out" "$2"; }
client_done() { grep -q -E '^(JOINED|ERROR|NOT_JOINED|LOGIN_FAILED|DISCONNECTED)' "$WORK/clients/$1.out" 2>/dev/null; }
conference_request() {
    curl -s -X POST "http://127.0.0.1:$HTTP_PORT/conference-request/v1" -H 'Content-Type: application/json' \
        -d "{\"room\":\"$1\",\"sessionId\":\"$2\",\"properties\":{\"visitors-version\":1}}"
}
main_focus() {   # a stand-in for Jicofo's own focus in the main room (see main.cfg.lua.in / below)
    client "$1" --host 127.0.0.1 --port "$MAIN_C2S" --domain auth.meet.jitsi --user focus --password "$PASSWORD" \
        --resource "$1" --room "$2" --nick focus --hold
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
for cmd in prosody prosodyctl lua5.4 java curl ss "$PYTHON"; do
    command -v "$cmd" >/dev/null 2>&1 || missing="$missing $cmd"
done
for f in mod_visitors.lua mod_visitors_component.lua mod_fmuc.lua mod_muc_meeting_id.lua mod_jitsi_permissions.lua \
         mod_auth_jitsi-anonymous.lua util.lib.lua token/util.lib.lua luajwtjitsi.lib.lua; do
    [ -f "$PLUGINS_DIR/$f" ] || missing="$missing $PLUGINS_DIR/$f"
done
[ -n "$SERVER_JAR" ] && [ -f "$SERVER_JAR" ] || missing="$missing server-jar(${SERVER_JAR:-none})"
"$PYTHON" -c 'import slixmpp' 2>/dev/null || missing="$missing python3-slixmpp(for $PYTHON)"
# Debian 12: prosody uses Lua 5.4, lua-inspect / lua-basexx ship only up to 5.3 / 5.2.
export LUA_PATH_5_4=";;/usr/share/lua/5.3/?.lua;/usr/share/lua/5.2/?.lua"
lua5.4 -e 'require "cjson.safe"; require "inspect"; require "basexx"; require "openssl.digest"; require "ssl"' \
    2>/dev/null || missing="$missing lua-libs(lua-cjson,lua-inspect,lua-basexx,lua-luaossl,lua-sec)"
for addr in 127.0.0.1:5269 127.0.0.2:5269 "127.0.0.1:$MAIN_C2S" "127.0.0.2:$NODE_C2S" "127.0.0.1:$HTTP_PORT"; do
    ss -Hltn "sport = :${addr##*:}" | awk '{print $4}' | grep -q -E "^(${addr%:*}|0\.0\.0\.0|\*|\[::\]):${addr##*:}$" \
        && missing="$missing port-in-use($addr)"
done
if [ -n "$missing" ]; then
    fail "prerequisites:$missing"
    exit 1
fi

# Configuration ---------------------------------------------------------------------------------------
mkdir -p "$WORK/main/data" "$WORK/node/data" "$WORK/certs" "$WORK/clients"
cat > "$WORK/hosts" <<EOF
127.0.0.1 meet.jitsi conference.meet.jitsi visitors.meet.jitsi auth.meet.jitsi
127.0.0.2 v1.meet.jitsi conference.v1.meet.jitsi auth.v1.meet.jitsi
EOF
fill() {
    sed -e "s#@WORK@#$WORK#g" -e "s#@PLUGINS_DIR@#$PLUGINS_DIR#g" -e "s#@MAIN_C2S@#$MAIN_C2S#g" \
        -e "s#@NODE_C2S@#$NODE_C2S#g" -e "s#@HTTP_PORT@#$HTTP_PORT#g" -e "s#@PASSWORD@#$PASSWORD#g" \
        -e "s#@LINK_EXPIRY@#$LINK_EXPIRY seconds#g" "$1" > "$2"
}
fill "$HERE/main.cfg.lua.in" "$WORK/main.cfg.lua"
fill "$HERE/node.cfg.lua.in" "$WORK/node.cfg.lua"
fill "$HERE/server.conf.in" "$WORK/server.conf"
prosodyctl --config "$WORK/main.cfg.lua" register focus auth.meet.jitsi "$PASSWORD" >/dev/null 2>&1 \
    && prosodyctl --config "$WORK/node.cfg.lua" register focus auth.v1.meet.jitsi "$PASSWORD" >/dev/null 2>&1 \
    || { fail "prosodyctl register focus accounts"; exit 1; }

# Step 1: the Prosodies load Jitsi's modules ---------------------------------------------------------
prosody --config "$WORK/main.cfg.lua" > "$WORK/main/stdout.log" 2>&1 &
PIDS+=($!)
listening() { ss -Hltn "sport = :$2" | grep -q "$1:$2"; }
# Which of the two priority-0 handlers of 'jicofo-unlock-room' on the node's MUC runs first. mod_fmuc's
# (returns true unless mod_fmuc fired the event on 'connect') must run before mod_muc_meeting_id's (which
# unlocks): only then is the node room locked until the main Prosody's connect. Prosody 0.12.3 runs
# equal-priority handlers in insertion order, i.e. module load order, and it loads a host's modules by
# iterating a set (string hash order, seeded per process), so the order changes from one start to the next.
unlock_order() {
    prosodyctl --config "$WORK/node.cfg.lua" shell ">local t = {} for _, h in ipairs(prosody.hosts['conference.v1.meet.jitsi'].events.get_handlers('jicofo-unlock-room') or {}) do t[#t+1] = debug.getinfo(h, 'S').short_src:match('[^/]*$') end return table.concat(t, ',')" 2>/dev/null \
        | grep -o 'mod_[a-z_]*\.lua,mod_[a-z_]*\.lua' | head -1
}
NODE_STARTS=0
while :; do
    NODE_STARTS=$((NODE_STARTS + 1))
    prosody --config "$WORK/node.cfg.lua" >> "$WORK/node/stdout.log" 2>&1 &
    NODE_PID=$!
    PIDS+=($NODE_PID)
    if ! wait_until 20 listening 127.0.0.2 "$NODE_C2S"; then
        fail "1 node prosody starts"; cat "$WORK"/node/stdout.log | indent; exit 1
    fi
    sleep 0.5
    ORDER="$(unlock_order)"
    case "$ORDER" in mod_fmuc.lua,*) break ;; esac
    say "      node start $NODE_STARTS: jicofo-unlock-room handlers run in the order '$ORDER'" \
        "(the focus's join would unlock node rooms by itself); restarting the node"
    [ "$NODE_STARTS" -ge 12 ] && { fail "1 no node start with mod_fmuc's lock first in 12 tries"; exit 1; }
    kill -TERM "$NODE_PID"; wait "$NODE_PID" 2>/dev/null
    while listening 127.0.0.2 5269 || listening 127.0.0.2 "$NODE_C2S"; do sleep 0.2; done
done
if ! wait_until 20 listening 127.0.0.1 "$MAIN_C2S" || ! listening 127.0.0.1 5269 || ! listening 127.0.0.2 5269; then
    fail "1 prosodies start"; cat "$WORK"/main/stdout.log "$WORK"/node/stdout.log | indent; exit 1
fi
sleep 0.5
modules() { prosodyctl --config "$1" shell "module:list('$2')" 2>/dev/null | tr -s ' \n' ' '; }
load_errors="$(grep -h -E "Error initializing module|Unable to load module|Failed to load module" \
    "$WORK"/main/prosody.log "$WORK"/node/prosody.log)"
ok=1
for spec in "main meet.jitsi visitors" "main visitors.meet.jitsi visitors_component" \
            "main conference.meet.jitsi muc_meeting_id" "node conference.v1.meet.jitsi fmuc" \
            "node conference.v1.meet.jitsi muc_meeting_id" "node v1.meet.jitsi auth_jitsi-anonymous"; do
    set -- $spec
    list="$(modules "$WORK/$1.cfg.lua" "$2")"
    echo " $list " | grep -q " $3 " || { ok=0; say "      $3 not loaded on $2: $list"; }
done
if [ "$ok" = 1 ] && [ -z "$load_errors" ]; then
    pass "1 Jitsi's modules load: visitors@meet.jitsi, visitors_component@visitors.meet.jitsi," \
         "muc_meeting_id@conference.meet.jitsi, fmuc+muc_meeting_id@conference.v1.meet.jitsi;" \
         "node lock in force (jicofo-unlock-room handlers: $ORDER; node starts needed: $NODE_STARTS)"
    grep -h -E "visitors_component.*(error|warn)" "$WORK/main/prosody.log" | indent
else
    fail "1 Jitsi's modules load"; echo "$load_errors" | head -40 | indent; exit 1
fi

# Step 2: the server logs in on both Prosodies and discovers the component ---------------------------
java -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.log.io.confgate=debug \
    -jar "$SERVER_JAR" --config "$WORK/server.conf" > "$WORK/server.log" 2>&1 &
PIDS+=($!)
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

# Summary ---------------------------------------------------------------------------------------------
say "server metrics:"
curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | grep -E '^admission_(xmpp_(connected|vnode_links_total)|visitors_available)' | indent
if [ "$FAILED" -eq 0 ]; then say "RESULT: PASS (steps 1-8); extra checks failed: $EXTRA_FAILED"; else say "RESULT: FAIL ($FAILED steps failed; extra checks failed: $EXTRA_FAILED)"; fi
rc=0; [ "$FAILED" -eq 0 ] || rc=1; [ "$STRICT" = 1 ] && [ "$EXTRA_FAILED" -gt 0 ] && rc=1
exit $rc
