-- wrk script: root token exchange with a FRESH workload JWT per request (read from JWT_FILE, one per line).
-- env: JWT_FILE, AUDIENCE, SCOPE
local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local jwts = {}
for line in io.lines(os.getenv("JWT_FILE")) do table.insert(jwts, line) end
local counter = 0
local offset = 0
function setup(thread) offset = offset + 1; thread:set("offset", offset * 100003) end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local tail = "&subject_token_type=" .. urlencode("urn:ietf:params:oauth:token-type:jwt")
  .. "&audience=" .. urlencode(os.getenv("AUDIENCE")) .. "&scope=" .. urlencode(os.getenv("SCOPE"))
request = function()
  counter = counter + 1
  local jwt = jwts[((counter + (offset or 0)) % #jwts) + 1]
  return wrk.format(nil, nil, nil, "grant_type=" .. urlencode("urn:ietf:params:oauth:grant-type:token-exchange")
    .. "&subject_token=" .. urlencode(jwt) .. tail)
end
function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    "RESULT reqs=%d dur_s=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d sockerr=%d timeouts=%d\n",
    summary.requests, s, summary.requests / s,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout))
end
