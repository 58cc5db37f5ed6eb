# Shared by run.sh and focus-proof.sh (sourced, not run): two Prosodies with Jitsi's REAL modules, federated on
# 127.0.0.1 (main: meet.jitsi with mod_visitors, conference.meet.jitsi with mod_muc_meeting_id, the visitors
# component) and 127.0.0.2 (visitor node v1: conference.v1.meet.jitsi with mod_fmuc + mod_muc_meeting_id), made
# from main.cfg.lua.in and node.cfg.lua.in in a fresh work directory, and the helpers both scripts use.
#
# The caller sets HERE, PLUGINS_DIR, MAIN_C2S, NODE_C2S, PYTHON, PASSWORD before sourcing; AUTO_ALLOW (the main
# visitors component's auto_allow_visitor_promotion, default true) before configure_prosodies.
# Prerequisites (Debian 12, as root, because the Prosodies run as root with run_as_root):
#   apt-get install prosody lua-cjson lua-inspect lua-basexx lua-luaossl lua-sec lua-unbound \
#                   python3-slixmpp openjdk-17-jre-headless curl
#   (lua-* are the Depends of Debian's jitsi-meet-prosody package.) Debian 12's prosody runs on Lua 5.4
#   but lua-inspect and lua-basexx install only for Lua <= 5.3; LUA_PATH_5_4 adds their 5.3 / 5.2
#   directories (Jitsi issue jitsi/jitsi-meet#14918 is the same failure).
#   Jitsi's plugins in PLUGINS_DIR (default /usr/share/jitsi-meet/prosody-plugins, where jitsi-meet-prosody
#   installs them), at least: mod_visitors.lua, mod_visitors_component.lua, mod_fmuc.lua, mod_muc_meeting_id.lua,
#   mod_jitsi_permissions.lua, mod_auth_jitsi-anonymous.lua, util.lib.lua, token/util.lib.lua, luajwtjitsi.lib.lua.

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

# stop_pid PID: SIGTERM, then SIGKILL after 15 s.
stop_pid() {
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in $(seq 1 30); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.5; done
    kill -KILL "$1" 2>/dev/null
}

cleanup() {
    local pid i
    # clients and the focus first, then the Prosodies
    for (( i=${#PIDS[@]}-1; i>=0; i-- )); do kill -TERM "${PIDS[$i]}" 2>/dev/null; done
    for _ in $(seq 1 30); do
        local alive=0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.5
    done
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    if [ "${KEEP_WORK:-0}" = 1 ] || [ "$FAILED" -gt 0 ] || [ "$EXTRA_FAILED" -gt 0 ]; then
        say "logs kept in $WORK (main/prosody.log, node/prosody.log, the focus's log, clients/*.out)"
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
has_line() { grep -q -- "$2" "$1" 2>/dev/null; }
listening() { ss -Hltn "sport = :$2" | grep -q "$1:$2"; }

# check_prerequisites EXTRA_MISSING PORT...: fails (and exits) with everything missing at once.
check_prerequisites() {
    local missing="$1" cmd f addr; shift
    for cmd in prosody prosodyctl lua5.4 java curl ss "$PYTHON"; do
        command -v "$cmd" >/dev/null 2>&1 || missing="$missing $cmd"
    done
    for f in mod_visitors.lua mod_visitors_component.lua mod_fmuc.lua mod_muc_meeting_id.lua mod_jitsi_permissions.lua \
             mod_auth_jitsi-anonymous.lua util.lib.lua token/util.lib.lua token/jwk.lib.lua luajwtjitsi.lib.lua; do
        [ -f "$PLUGINS_DIR/$f" ] || missing="$missing $PLUGINS_DIR/$f"
    done
    "$PYTHON" -c 'import slixmpp' 2>/dev/null || missing="$missing python3-slixmpp(for $PYTHON)"
    # Debian 12: prosody uses Lua 5.4, lua-inspect / lua-basexx ship only up to 5.3 / 5.2.
    export LUA_PATH_5_4=";;/usr/share/lua/5.3/?.lua;/usr/share/lua/5.2/?.lua"
    lua5.4 -e 'require "cjson.safe"; require "inspect"; require "basexx"; require "openssl.digest"; require "ssl"' \
        2>/dev/null || missing="$missing lua-libs(lua-cjson,lua-inspect,lua-basexx,lua-luaossl,lua-sec)"
    for addr in 127.0.0.1:5269 127.0.0.2:5269 "127.0.0.1:$MAIN_C2S" "127.0.0.2:$NODE_C2S" "$@"; do
        ss -Hltn "sport = :${addr##*:}" | awk '{print $4}' | grep -q -E "^(${addr%:*}|0\.0\.0\.0|\*|\[::\]):${addr##*:}$" \
            && missing="$missing port-in-use($addr)"
    done
    if [ -n "$missing" ]; then
        fail "prerequisites:$missing"
        exit 1
    fi
}

# fill TEMPLATE OUT: the @...@ values of the templates.
fill() {
    sed -e "s#@WORK@#$WORK#g" -e "s#@PLUGINS_DIR@#$PLUGINS_DIR#g" -e "s#@MAIN_C2S@#$MAIN_C2S#g" \
        -e "s#@NODE_C2S@#$NODE_C2S#g" -e "s#@HTTP_PORT@#${HTTP_PORT:-}#g" -e "s#@PASSWORD@#$PASSWORD#g" \
        -e "s#@LINK_EXPIRY@#${LINK_EXPIRY:-60} seconds#g" -e "s#@AUTO_ALLOW@#${AUTO_ALLOW:-true}#g" "$1" > "$2"
}

configure_prosodies() {
    mkdir -p "$WORK/main/data" "$WORK/node/data" "$WORK/certs" "$WORK/clients"
    cat > "$WORK/hosts" <<HOSTS
127.0.0.1 meet.jitsi conference.meet.jitsi visitors.meet.jitsi auth.meet.jitsi
127.0.0.2 v1.meet.jitsi conference.v1.meet.jitsi auth.v1.meet.jitsi
HOSTS
    fill "$HERE/main.cfg.lua.in" "$WORK/main.cfg.lua"
    fill "$HERE/node.cfg.lua.in" "$WORK/node.cfg.lua"
    prosodyctl --config "$WORK/main.cfg.lua" register focus auth.meet.jitsi "$PASSWORD" >/dev/null 2>&1 \
        && prosodyctl --config "$WORK/node.cfg.lua" register focus auth.v1.meet.jitsi "$PASSWORD" >/dev/null 2>&1 \
        || { fail "prosodyctl register focus accounts"; exit 1; }
}

# Which of the two priority-0 handlers of 'jicofo-unlock-room' on the node's MUC runs first. mod_fmuc's
# (returns true unless mod_fmuc fired the event on 'connect') must run before mod_muc_meeting_id's (which
# unlocks): only then is the node room locked until the main Prosody's connect. Prosody 0.12.3 runs
# equal-priority handlers in insertion order, i.e. module load order, and it loads a host's modules by
# iterating a set (string hash order, seeded per process), so the order changes from one start to the next.
unlock_order() {
    prosodyctl --config "$WORK/node.cfg.lua" shell ">local t = {} for _, h in ipairs(prosody.hosts['conference.v1.meet.jitsi'].events.get_handlers('jicofo-unlock-room') or {}) do t[#t+1] = debug.getinfo(h, 'S').short_src:match('[^/]*$') end return table.concat(t, ',')" 2>/dev/null \
        | grep -o 'mod_[a-z_]*\.lua,mod_[a-z_]*\.lua' | head -1
}
modules() { prosodyctl --config "$1" shell "module:list('$2')" 2>/dev/null | tr -s ' \n' ' '; }

# start_prosodies: both Prosodies up with Jitsi's modules loaded and the node's lock in force (step 1).
start_prosodies() {
    prosody --config "$WORK/main.cfg.lua" > "$WORK/main/stdout.log" 2>&1 &
    PIDS+=($!)
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
    local load_errors ok=1 spec list
    load_errors="$(grep -h -E "Error initializing module|Unable to load module|Failed to load module" \
        "$WORK"/main/prosody.log "$WORK"/node/prosody.log)"
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
}

# client NAME ARGS...: a muc_client.py in the background, output in clients/NAME.out
client() {
    local name="$1"; shift
    "$PYTHON" "$HERE/muc_client.py" "$@" > "$WORK/clients/$name.out" 2>&1 &
    PIDS+=($!)
}
client_says() { has_line "$WORK/clients/$1.out" "$2"; }
client_done() { grep -q -E '^(JOINED|ERROR|NOT_JOINED|LOGIN_FAILED|DISCONNECTED)' "$WORK/clients/$1.out" 2>/dev/null; }
main_focus() {   # a stand-in for Jicofo's own focus in the main room (see main.cfg.lua.in)
    client "$1" --host 127.0.0.1 --port "$MAIN_C2S" --domain auth.meet.jitsi --user focus --password "$PASSWORD" \
        --resource "$1" --room "$2" --nick focus --hold
}
