-- Test peer for jitsi-meet resources/prosody-plugins/mod_fmuc.lua with the pre-join queue of
-- mod_muc_meeting_id.lua, loaded on a visitor node's MUC component (with restrict_room_creation = true, as
-- the node template sets it, so only an admin, the focus, creates rooms). Written for the project's tests
-- from a reading of the real modules; it is not the real module. It reproduces (mod_fmuc.lua
-- `iq_from_main_handler`, `muc-occupant-pre-join`; mod_muc_meeting_id.lua's jicofo lock):
--
--   1. an iq from the main Prosody is handled only as `set` with <visitors xmlns='jitsi:visitors'>;
--   2. its `from` must be exactly the main domain, otherwise it is dropped with no reply
--      ("not from main prosody, ignore!");
--   3. its room must already exist on the node (the focus creates it): otherwise Prosody answers
--      service-unavailable and nothing is unlocked;
--   4. the result is sent before the change: <connect/> unlocks the room and lets the queued joiners in,
--      <disconnect/> destroys the room;
--   5. until <connect/>, every joiner but an admin is held in a queue (no answer to its presence);
--      local joiners are visitors (role visitor);
--   6. the node ends rooms by itself (mod_fmuc's `muc-occupant-left` hook, `schedule_destroy_timer`,
--      `destroy_with_conference_ended`): when an occupant leaves and no main participant (neither admin nor
--      visitor) is left, the room is destroyed at once; when no visitor is left, it is destroyed after a delay
--      (15 s in mod_fmuc; `test_fmuc_destroy_delay` here) unless a visitor came back meanwhile.
--
-- One difference of the topology, not of the checks: the tests run main and nodes in one Prosody, so the
-- main host's IQ arrives from a local host session rather than over s2s, and the result is sent with
-- module:send (a host session has no send of its own).

local jid = require "util.jid";
local st = require "util.stanza";
local usermanager = require "core.usermanager";

local main_domain = module:get_option_string("test_main_domain");
local destroy_delay = module:get_option_number("test_fmuc_destroy_delay", 15);

local function counts(room) -- main participants (not admins, not visitors) and visitors
    local main, visitors = 0, 0;
    for _, o in room:each_occupant() do
        if o.role == "visitor" then
            visitors = visitors + 1;
        elseif not usermanager.is_admin(o.bare_jid, module.host) then
            main = main + 1;
        end
    end
    return main, visitors;
end

local function conference_ended(room)
    if room.destroying then
        return;
    end
    module:log("info", "Will destroy:%s", room.jid);
    room:destroy(nil, "Conference ended.");
end

module:hook("muc-occupant-left", function (event) -- (6)
    local room = event.room;
    if room.destroying then
        return;
    end
    local main, visitors = counts(room);
    if visitors == 0 then
        module:add_timer(destroy_delay, function ()
            local _, still = counts(room);
            if still == 0 then
                conference_ended(room);
            end
        end);
    end
    if main == 0 then
        conference_ended(room);
    end
end);

local function result(stanza)
    module:send(st.iq({ type = "result"; from = stanza.attr.to; to = stanza.attr.from; id = stanza.attr.id }));
end

module:hook("muc-occupant-pre-join", function (event)
    local room, occupant = event.room, event.occupant;
    if usermanager.is_admin(occupant.bare_jid, module.host) then
        return; -- the focus
    end
    if not room._data.test_fmuc_connected then -- (5)
        room.test_pre_join_queue = room.test_pre_join_queue or {};
        table.insert(room.test_pre_join_queue, { origin = event.origin; stanza = event.stanza });
        return true;
    end
    if prosody.hosts[jid.host(occupant.bare_jid)] then
        occupant.role = "visitor";
    end
end, 8);

module:hook("iq/host", function (event)
    local stanza = event.stanza;
    if stanza.attr.type ~= "set" then
        return; -- (1)
    end
    local visitors = stanza:get_child("visitors", "jitsi:visitors");
    if not visitors then
        return; -- (1)
    end
    if stanza.attr.from ~= main_domain then
        module:log("warn", "not from main prosody, ignore! %s", stanza); -- (2)
        return true;
    end
    local muc = prosody.hosts[module.host].modules.muc;
    local room = visitors.attr.room and muc.get_room_from_jid(visitors.attr.room);
    if not room then
        module:log("warn", "No room found %s", tostring(visitors.attr.room)); -- (3)
        return;
    end
    local connect, disconnect = visitors:get_child("connect"), visitors:get_child("disconnect");
    if not connect and not disconnect then
        return;
    end
    result(stanza); -- (4) before the change
    if disconnect then
        room:destroy(nil, "Conference ended.");
        return true;
    end
    room._data.test_fmuc_connected = true;
    local queue = room.test_pre_join_queue or {};
    room.test_pre_join_queue = nil;
    for _, joiner in ipairs(queue) do
        room:handle_normal_presence(joiner.origin, joiner.stanza);
    end
    return true;
end, 10);
