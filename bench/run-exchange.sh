#!/usr/bin/env bash
# Measures root (and delegated) token exchanges with wrk on loopback, c=8, like ../shared/peers/keycloak.
# Needs: a running broker at $B with the README's catalog (dev issuer, orders, planner, coder), wrk, bc.
# usage: B=http://localhost:8080 DEV_ISSUER_DIR=/tmp/dev-issuer bench/run-exchange.sh
set -euo pipefail
cd "$(dirname "$0")"
B=${B:-http://localhost:8080}; DIR=${DEV_ISSUER_DIR:-/tmp/dev-issuer}; WARM=${WARM:-20}; DUR=${DUR:-20}
JP=$(pgrep -f "mandate-broker.jar" | head -1); PG=$(pgrep -f "bin/postgres" | head -1)
mint() { java ../examples/DevIssuer.java mint "$DIR" https://dev-issuer.local "spiffe://acme.org/agents/$1" "$B"; }
measure() {  # $1 label; wrk args follow
  local label=$1; shift
  wrk -t1 -c8 -d${WARM}s "$@" >/dev/null
  local c0 p0 c1 p1 r reqs tck
  c0=$(./cpu.sh $JP); p0=$(./cpu.sh $PG)
  r=$(wrk -t1 -c8 -d${DUR}s "$@" | grep RESULT)
  c1=$(./cpu.sh $JP); p1=$(./cpu.sh $PG)
  reqs=$(echo "$r" | sed 's/.*reqs=\([0-9]*\).*/\1/'); tck=$(getconf CLK_TCK)
  echo "$label $r broker_cpu_ms_per_req=$(echo "scale=3; ($c1-$c0)*1000/$tck/$reqs" | bc) pg_cpu_ms_per_req=$(echo "scale=3; ($p1-$p0)*1000/$tck/$reqs" | bc)"
}
export AUDIENCE=https://orders.example.com SCOPE=orders:read
export SUBJECT_TOKEN; SUBJECT_TOKEN=$(mint planner)
measure root -s exchange.lua "$B/oauth2/token"
[ -n "${ROOT_ONLY:-}" ] && exit 0
PARENT=$(curl -s "$B/oauth2/token" -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \
  --data-urlencode "subject_token=$(mint planner)" -d subject_token_type=urn:ietf:params:oauth:token-type:jwt \
  -d audience=$AUDIENCE -d scope=$SCOPE -d ttl=900 | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
export SUBJECT_TOKEN=$PARENT ACTOR_TOKEN; ACTOR_TOKEN=$(mint coder)
[ -n "${ROOT_ONLY:-}" ] || measure delegated -s exchange.lua "$B/oauth2/token"
