-- POST /conference-request/v1 as a Jitsi Meet web client does; every request is a new member, spread
-- over 1000 rooms, so each takes the full decision path (30 main seats per room, then visitors).
local counter = 0
local thread_id = 0
setup = function(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end
request = function()
  counter = counter + 1
  local room = "room" .. (counter % 1000) .. "@conference.meet.jitsi"
  local body = '{"room":"' .. room .. '","sessionId":"t' .. tostring(tid) .. '-' .. counter ..
      '","machineUid":"m' .. counter .. '","properties":{"rtcstatsEnabled":false,"visitors-version":1}}'
  return wrk.format("POST", "/conference-request/v1", {["Content-Type"] = "application/json"}, body)
end
