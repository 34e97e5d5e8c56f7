-- wrk script: POST /v1/usage, a charge of 1 per request with a fresh idempotency key.
-- env: TOKENS (comma-separated access tokens; requests rotate over them), BASIC ("Basic base64(id:secret)")
local tokens = {}
for t in string.gmatch(os.getenv("TOKENS"), "[^,]+") do table.insert(tokens, t) end
local counter = 0
-- Each thread gets its own id from setup(); the run's start time keeps keys unique across runs,
-- so every request is a new charge, never an idempotent replay.
local created = 0
function setup(thread)
  created = created + 1
  thread:set("tid", created .. "-" .. os.time())
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("BASIC")
request = function()
  counter = counter + 1
  local token = tokens[(counter % #tokens) + 1]
  return wrk.format(nil, nil, nil, '{"token":"' .. token .. '","amount":1,"idempotency_key":"k' .. tid .. '-' .. counter .. '"}')
end
function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    "RESULT reqs=%d dur_s=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d sockerr=%d timeouts=%d\n",
    summary.requests, s, summary.requests / s,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout))
end
