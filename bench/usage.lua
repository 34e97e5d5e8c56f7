-- wrk script: POST /v1/usage, one charge of 1 per request with a fresh idempotency key.
-- env: TOKEN, BASIC ("Basic base64(id:secret)")
local counter = 0
local thread_id = math.random(1, 1e9)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("BASIC")
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"token":"' .. os.getenv("TOKEN") .. '","amount":1,"idempotency_key":"k' .. thread_id .. '-' .. counter .. '"}')
end
function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    "RESULT reqs=%d dur_s=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d sockerr=%d timeouts=%d\n",
    summary.requests, s, summary.requests / s,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout))
end
