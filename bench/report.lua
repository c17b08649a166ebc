-- wrk reporting hook for bench/run.sh: one machine-readable line per run.
-- BENCH <requests> <duration_us> <p50_us> <p99_us> <non-2xx/3xx responses> <socket errors>
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %.1f %.1f %d %d\n",
    summary.requests,
    summary.duration,
    latency:percentile(50),
    latency:percentile(99),
    e.status,
    e.connect + e.read + e.write + e.timeout))
end
