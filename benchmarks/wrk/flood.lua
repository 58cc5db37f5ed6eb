-- A flood from made-up rooms and made-up clients. FLOOD_PATH picks the call:
--   conference-request: every request joins a room never seen before (rooms grow to admission.limits.max-rooms)
--   raise-hand:         every request raises a hand in a made-up room from a made-up address (hands grow to
--                       admission.promotion.max-hands; tracked clients to admission.http.max-tracked-clients)
-- Status codes are counted per thread and summed in done().
local path = os.getenv("FLOOD_PATH") or "conference-request"
local threads = {}
local thread_id = 0
setup = function(thread)
  thread:set("id", thread_id)
  thread:set("prefix", string.format("%x-%d-", os.time(), thread_id))
  thread_id = thread_id + 1
  table.insert(threads, thread)
end
init = function()
  counter = 0
  statuses = {}
end
request = function()
  counter = counter + 1
  local room = "flood-" .. prefix .. counter .. "@conference.meet.jitsi"
  local headers = {["Content-Type"] = "application/json",
                   ["X-Forwarded-For"] = string.format("10.%d.%d.%d", id, math.floor(counter / 256) % 256, counter % 256)}
  if path == "raise-hand" then
    return wrk.format("POST", "/conference-request/v1/promotion/raise-hand", headers,
        '{"room":"' .. room .. '","sessionId":"h' .. prefix .. counter .. '"}')
  end
  return wrk.format("POST", "/conference-request/v1", headers,
      '{"room":"' .. room .. '","sessionId":"s' .. prefix .. counter .. '","properties":{"visitors-version":1}}')
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local line = "statuses:"
  for status, n in pairs(total) do
    line = line .. " " .. status .. "=" .. n
  end
  io.write(line .. "\n")
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d\n",
      summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
