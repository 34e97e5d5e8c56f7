#!/usr/bin/env bash
# Measures POST /v1/usage with wrk at c=16 on one hot account and on 16 spread accounts.
# Needs the README walkthrough's catalog plus scope orders:bulk (no max_budget) allowed to the planner.
# usage: B=http://localhost:8080 DEV_ISSUER_DIR=/tmp/dev-issuer RS_SECRET=... bench/run-usage.sh
set -euo pipefail
cd "$(dirname "$0")"
B=${B:-http://localhost:8080}; DIR=${DEV_ISSUER_DIR:-/tmp/dev-issuer}; WARM=${WARM:-10}; DUR=${DUR:-20}
JP=$(pgrep -f "mandate-broker.jar" | head -1); PG=$(pgrep -f "bin/postgres" | head -1)
export BASIC="Basic $(printf 'orders:%s' "$RS_SECRET" | base64 -w0)"
root() {
  curl -s "$B/oauth2/token" -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \
    --data-urlencode "subject_token=$(java ../examples/DevIssuer.java mint "$DIR" https://dev-issuer.local spiffe://acme.org/agents/planner "$B")" \
    -d subject_token_type=urn:ietf:params:oauth:token-type:jwt -d audience=https://orders.example.com -d scope=orders:bulk \
    -d budget=1000000000 -d ttl=900 | sed 's/.*"access_token":"\([^"]*\)".*/\1/'
}
measure() {
  local label=$1
  wrk -t2 -c16 -d${WARM}s -s usage.lua "$B/v1/usage" >/dev/null
  local c0 p0 c1 p1 r reqs tck
  c0=$(./cpu.sh $JP); p0=$(./cpu.sh $PG)
  r=$(wrk -t2 -c16 -d${DUR}s -s usage.lua "$B/v1/usage" | grep RESULT)
  c1=$(./cpu.sh $JP); p1=$(./cpu.sh $PG)
  reqs=$(echo "$r" | sed 's/.*reqs=\([0-9]*\).*/\1/'); tck=$(getconf CLK_TCK)
  echo "$label $r broker_cpu_ms_per_req=$(echo "scale=3; ($c1-$c0)*1000/$tck/$reqs" | bc) pg_cpu_ms_per_req=$(echo "scale=3; ($p1-$p0)*1000/$tck/$reqs" | bc)"
}
export TOKENS; TOKENS=$(root)
measure hot-account
TOKENS=$(for i in $(seq 16); do root; echo; done | paste -sd, -)
measure spread-16-accounts
