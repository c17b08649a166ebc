-- wrk script for bench/inclusion.sh: rotates over the request paths listed in a file (one per
-- line, given after `--`), each thread starting at a different line, and prints one
-- machine-readable line per run:
-- BENCH <requests> <duration_us> <p50_us> <p95_us> <p99_us> <non-2xx/3xx responses> <socket errors>
local paths = {}
local next_index = 1
local threads = 0

local function read_paths(file)
  local list = {}
  local f = assert(io.open(file, "r"), "cannot open " .. tostring(file))
  for line in f:lines() do
    if line ~= "" then list[#list + 1] = line end
  end
  f:close()
  assert(#list > 0, "no paths in " .. file)
  return list
end

-- Runs in the main Lua state once per thread, before the threads start: spread their starts.
setup = function(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

init = function(args)
  paths = read_paths(args[1])
  next_index = ((offset or 0) * 7919) % #paths + 1
end

request = function()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format(nil, path)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %.1f %.1f %.1f %d %d\n",
    summary.requests,
    summary.duration,
    latency:percentile(50),
    latency:percentile(95),
    latency:percentile(99),
    e.status,
    e.connect + e.read + e.write + e.timeout))
end
