-- wrk script for bench/profile.sh and bench/peer.sh: POSTs the bodies in the file BODIES (one JSON body a line) in
-- turn to /graphql, with the bearer token in TOKEN when set; counts failed answers (HTTP status
-- or GraphQL errors) and prints one line headed LABEL.
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
local headers = { ["Content-Type"] = "application/json" }
local token = os.getenv("TOKEN") or ""
if token ~= "" then headers["Authorization"] = "Bearer " .. token end

local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/graphql", headers, bodies[(n % #bodies) + 1])
end

errors = 0
local threads = {}
setup = function(thread) table.insert(threads, thread) end
response = function(status, _, body)
  if status ~= 200 or body:find('"errors":', 1, true) then errors = errors + 1 end
end

done = function(summary, latency, _)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + (thread:get("errors") or 0) end
  io.write(string.format("%s: %.0f req/s, p50 %.1f ms, p99 %.1f ms, errors %d\n", os.getenv("LABEL"),
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, failed))
end
