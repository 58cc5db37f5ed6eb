-- Test peer for jitsi-meet resources/prosody-plugins/mod_visitors_component.lua (Component "visitors.<main>"),
-- together with the connect/disconnect half of mod_visitors.lua. Written for the project's tests from a
-- reading of the real modules; it is not the real module. It refuses what the real one refuses, in the real
-- one's order (mod_visitors_component.lua `stanza_handler`):
--
--   1. only iq of type get or set is handled; anything else is left to Prosody;
--   2. an iq without <visitors xmlns='jitsi:visitors'> is left to Prosody (service-unavailable);
--   3. a `set` that did not arrive over an incoming s2s session is dropped, no reply
--      ("not from s2s session, ignore!"): the focus must send connect-vnode / disconnect-vnode as `get`;
--   4. a `room` the main MUC does not know: no reply at all (get_room_from_jid returns nil);
--   5. connect-vnode / disconnect-vnode only from an admin's bare JID (`is_admin(jid.bare(from))`); from anyone
--      else the children are ignored, an empty result is sent and Prosody answers service-unavailable too;
--   6. on connect-vnode, as mod_visitors `connect_vnode`: an IQ <connect/> from the main host to
--      conference.<vnode>.<suffix>, then the node is recorded, then the empty result to the focus;
--      a node already connected gets nothing new. On disconnect-vnode: <disconnect/>, then the result.
--
-- The state it keeps is mod_visitors.lua's `visitors_nodes[room.jid].nodes[<node muc>]` (here `connected`),
-- with the module's life cycle (jitsi-meet 1c8216eb): `connect_vnode` returns early when the node is already
-- recorded for the room, and only `disconnect_vnode` clears one node; the `muc-room-destroyed` hook sends
-- <disconnect/> to every node of the room and forgets the room. A node's occupants leaving only lower a count.
-- It lives in the main Prosody, not in the focus: a focus that crashes (kill -9) and starts again finds the
-- node still recorded, so its first connect-vnode for that conference is ignored unless it sends
-- disconnect-vnode first (CrashRecoveryProsodyTest).
--
-- One difference on purpose: the real modules name a node's domain `vnode..'.meet.jitsi'`; this peer uses
-- `vnode..'.'..test_vnode_domain_suffix` so the test hosts can be v1.test, v2.test.

local st = require "util.stanza";
local jid = require "util.jid";
local usermanager = require "core.usermanager";

local main_host = module:get_option_string("test_main_host");
local main_muc = module:get_option_string("test_main_muc");
local suffix = module:get_option_string("test_vnode_domain_suffix");
local connected = {}; -- main room jid -> set of node conference domains

local function result(origin, stanza)
    origin.send(st.iq({ type = "result"; from = stanza.attr.to; to = stanza.attr.from; id = stanza.attr.id }));
end

local function tell_node(room, vnode, what)
    local node_muc = "conference." .. vnode .. "." .. suffix;
    local node, _ = jid.split(room.jid);
    module:send(st.iq({ type = "set"; from = main_host; to = node_muc; id = "test-" .. what .. "-" .. node })
        :tag("visitors", { xmlns = "jitsi:visitors"; room = jid.join(node, node_muc) })
        :tag(what, { xmlns = "jitsi:visitors"; password = ""; lobby = "false" }):up());
    return node_muc;
end

local function handler(event)
    local origin, stanza = event.origin, event.stanza;
    if stanza.attr.type ~= "set" and stanza.attr.type ~= "get" then
        return; -- (1)
    end
    local visitors = stanza:get_child("visitors", "jitsi:visitors");
    if not visitors then
        return; -- (2)
    end
    if stanza.attr.type == "set" and origin.type ~= "s2sin" then
        module:log("warn", "not from s2s session, ignore! %s", stanza); -- (3)
        return true;
    end
    local muc = prosody.hosts[main_muc] and prosody.hosts[main_muc].modules.muc;
    local room = muc and visitors.attr.room and muc.get_room_from_jid(visitors.attr.room);
    if not room then
        module:log("debug", "No room found %s", tostring(visitors.attr.room)); -- (4)
        return true;
    end
    local processed;
    if usermanager.is_admin(jid.bare(stanza.attr.from), module.host) then -- (5)
        for item in visitors:childtags("connect-vnode") do
            local nodes = connected[room.jid] or {};
            connected[room.jid] = nodes;
            local node_muc = "conference." .. item.attr.vnode .. "." .. suffix;
            if not nodes[node_muc] then -- (6) a repeated connect sends nothing new
                tell_node(room, item.attr.vnode, "connect");
                nodes[node_muc] = true;
            end
            processed = true;
        end
        for item in visitors:childtags("disconnect-vnode") do
            local nodes = connected[room.jid];
            local node_muc = "conference." .. item.attr.vnode .. "." .. suffix;
            if nodes and nodes[node_muc] then
                tell_node(room, item.attr.vnode, "disconnect");
                nodes[node_muc] = nil;
            end
            processed = true;
        end
    end
    if not processed then
        module:log("warn", "Unknown iq received for %s: %s", module.host, stanza);
    end
    result(origin, stanza);
    return processed;
end

module:hook("iq/host", handler, 10);

-- mod_visitors.lua's `muc-room-destroyed` hook: every node of the room is told <disconnect/>, the room forgotten.
module:context(main_muc):hook("muc-room-destroyed", function(event)
    local room = event.room;
    local nodes = connected[room.jid];
    if not nodes then
        return;
    end
    for node_muc in pairs(nodes) do
        local vnode = node_muc:match("^conference%.([^.]+)%.");
        if vnode then
            tell_node(room, vnode, "disconnect");
        end
    end
    connected[room.jid] = nil;
end, 1);
