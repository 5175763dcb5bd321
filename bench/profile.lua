-- wrk script for bench/profile.sh: POSTs the nested profile query with the bearer token in
-- TOKEN and the page size in PAGE, walking the first 50 pages (cursor = base64url of
-- "cursor:<id>", the API's opaque cursor for customers ordered by id).
local page = tonumber(os.getenv("PAGE") or "20")
local token = os.getenv("TOKEN")
local query = [[query($first: Int!, $after: String) { customers(first: $first, after: $after) {
    totalCount pageInfo { endCursor hasNextPage }
    nodes { customerId fullName mobile status endDate
        plan { name price } locality { name pincode } company { name gstRate } assignedEmployee { fullName }
        invoices(first: 3) { invoiceNumber invoiceDate totalAmount paidAmount balanceAmount status
            payments { paymentId amount paymentMethod status paidAt } } } } }]]

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local function base64url(s)
  local out, bits, nbits = {}, 0, 0
  for i = 1, #s do
    bits = bits * 256 + s:byte(i); nbits = nbits + 8
    while nbits >= 6 do
      nbits = nbits - 6
      local v = math.floor(bits / 2 ^ nbits) % 64
      out[#out + 1] = alphabet:sub(v + 1, v + 1)
      bits = bits % 2 ^ nbits
    end
  end
  if nbits > 0 then
    local v = (bits * 2 ^ (6 - nbits)) % 64
    out[#out + 1] = alphabet:sub(v + 1, v + 1)
  end
  return table.concat(out)
end

local function json_string(s)
  return '"' .. s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\n', '\\n') .. '"'
end

local bodies = {}
for k = 0, 49 do
  local after = (k == 0) and "null" or json_string(base64url("cursor:" .. (k * page)))
  bodies[#bodies + 1] = '{"query":' .. json_string(query) .. ',"variables":{"first":' .. page .. ',"after":' .. after .. '}}'
end

local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/graphql", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, bodies[(n % #bodies) + 1])
end

-- Each wrk thread counts its failed answers (HTTP status or GraphQL errors); done() adds them.
errors = 0
local threads = {}
setup = function(thread) table.insert(threads, thread) end
response = function(status, headers, body)
  if status ~= 200 or body:find('"errors":', 1, true) then errors = errors + 1 end
end

done = function(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + (thread:get("errors") or 0) end
  io.write(string.format("wrk page %d: %.0f req/s, p50 %.1f ms, p99 %.1f ms, errors %d\n",
    page, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    failed))
end
