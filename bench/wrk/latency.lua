-- wrk script: optional rotation over paths (env WRK_PATHS, comma-separated) and a
-- summary line with p50/p95/p99 in milliseconds.
local paths = {}
for p in string.gmatch(os.getenv("WRK_PATHS") or "", "[^,]+") do
  paths[#paths + 1] = p
end
local i = 0
request = function()
  if #paths == 0 then
    return wrk.format(nil)
  end
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
done = function(summary, latency, requests)
  local ms = function(us) return string.format("%.2f", us / 1000) end
  io.write(string.format("requests %d, errors %d (status %d), p50 %s ms, p95 %s ms, p99 %s ms, max %s ms\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, ms(latency:percentile(50)), ms(latency:percentile(95)),
    ms(latency:percentile(99)), ms(latency.max)))
end
