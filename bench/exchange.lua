-- wrk script: Mandate root token exchange (RFC 8693), workload JWT as subject_token.
-- env: SUBJECT_TOKEN (workload JWT), AUDIENCE, SCOPE, BUDGET (optional)
local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local body = "grant_type=" .. urlencode("urn:ietf:params:oauth:grant-type:token-exchange")
  .. "&subject_token=" .. urlencode(os.getenv("SUBJECT_TOKEN"))
  .. "&subject_token_type=" .. urlencode("urn:ietf:params:oauth:token-type:jwt")
  .. "&audience=" .. urlencode(os.getenv("AUDIENCE"))
  .. "&scope=" .. urlencode(os.getenv("SCOPE"))
if os.getenv("ACTOR_TOKEN") then
  body = "grant_type=" .. urlencode("urn:ietf:params:oauth:grant-type:token-exchange")
    .. "&subject_token=" .. urlencode(os.getenv("SUBJECT_TOKEN"))
    .. "&subject_token_type=" .. urlencode("urn:ietf:params:oauth:token-type:access_token")
    .. "&actor_token=" .. urlencode(os.getenv("ACTOR_TOKEN"))
    .. "&actor_token_type=" .. urlencode("urn:ietf:params:oauth:token-type:jwt")
    .. "&scope=" .. urlencode(os.getenv("SCOPE"))
end
if os.getenv("BUDGET") then body = body .. "&budget=" .. os.getenv("BUDGET") end
wrk.body = body

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    "RESULT reqs=%d dur_s=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d sockerr=%d timeouts=%d\n",
    summary.requests, s, summary.requests / s,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout))
end
