-- POST /conference-request/v1 as a Jitsi Meet web client does; every request is a new member, spread
-- over 1000 rooms, so each takes the full decision path (30 main seats per room, then visitors).
-- Session ids carry the run's start time and the thread, so a measured run never repeats the ids of
-- its warm-up (which would turn it into retries of held places).
local counter = 0
local thread_id = 0
setup = function(thread)
  thread:set("prefix", string.format("%x-%d-", os.time(), thread_id))
  thread_id = thread_id + 1
end
request = function()
  counter = counter + 1
  local room = "room" .. (counter % 1000) .. "@conference.meet.jitsi"
  local body = '{"room":"' .. room .. '","sessionId":"s' .. prefix .. counter ..
      '","machineUid":"m' .. counter .. '","properties":{"rtcstatsEnabled":false,"visitors-version":1}}'
  return wrk.format("POST", "/conference-request/v1", {["Content-Type"] = "application/json"}, body)
end
