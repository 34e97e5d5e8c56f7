-- wrk script: RFC 7662 introspection of one token by its resource server. env: TOKEN, BASIC
local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BASIC")
wrk.body = "token=" .. urlencode(os.getenv("TOKEN"))
function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    "RESULT reqs=%d dur_s=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d sockerr=%d timeouts=%d\n",
    summary.requests, s, summary.requests / s,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout))
end
