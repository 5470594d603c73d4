-- wrk script for bench/ingest.py: POST bodies built from a template, every answer checked, one summary line.
--
--   wrk ... -s bench/wrk_post.lua URL -- <template file> <items per request> <marker> <tag> <authorization>
--
-- The template file holds three lines: the body's head, one item, the body's tail. A body is the head, then
-- <items per request> items joined by commas (0: none, the body is head..tail, sent unchanged), then the tail.
-- In an item @KEY@ becomes an idempotency key unique to this run (<tag>-<thread>-<n>) and @SENDER@ a phone
-- number derived from it. An answer is counted good when it holds <marker> once per item (once when 0 items).
-- done() prints one machine-readable line, WRK_RESULT {json}, and the first bad answer as WRK_BAD <text>.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local function escape(text)
  return (text:gsub("%p", "%%%0"))
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  head, item, tail = file:read("*l"), file:read("*l"), file:read("*l")
  file:close()
  items, marker, tag = tonumber(args[2]), escape(args[3]), args[4]
  wanted = math.max(items, 1)
  sent, good, bad, first_bad = 0, 0, 0, ""
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = args[5]
  if items == 0 then
    fixed = wrk.format(nil, nil, nil, head .. tail)
  end
end

function request()
  if fixed then
    return fixed
  end
  local parts = {}
  for i = 1, items do
    sent = sent + 1
    local key = tag .. "-" .. id .. "-" .. sent
    local sender = string.format("+1555%07d", (id * 7919 + sent * 104729) % 10000000)
    parts[i] = item:gsub("@KEY@", key):gsub("@SENDER@", sender)
  end
  return wrk.format(nil, nil, nil, head .. table.concat(parts, ",") .. tail)
end

function response(status, headers, body)
  local _, found = body:gsub(marker, "")
  if status == 200 and found == wanted then
    good = good + 1
  else
    bad = bad + 1
    if first_bad == "" then
      first_bad = status .. " " .. body:sub(1, 300):gsub("[\r\n]", " ")
    end
  end
end

function done(summary, latency, requests)
  local good_total, bad_total, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    good_total = good_total + thread:get("good")
    bad_total = bad_total + thread:get("bad")
    if first == "" then
      first = thread:get("first_bad")
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "good": %d, "bad": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
    '"status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, good_total, bad_total, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, errors.connect, errors.read, errors.write, errors.status,
    errors.timeout))
  if first ~= "" then
    io.write("WRK_BAD " .. first .. "\n")
  end
end
