#!/usr/bin/env bash
# One command for Mandate's side-by-side benchmark (issue 11), measured like ../shared/peers/keycloak:
# wrk on loopback, broker and PostgreSQL CPU ms per request from /proc, RSS, start-to-ready.
#
#   bench/run.sh                         # from the repository root; needs wrk (apt-get install wrk), bc, curl
#   CONNS="8" DURATION=10 bench/run.sh   # quicker
#   SCENARIOS="root-reused root-fresh" BROKER_ARGS="--spring.threads.virtual.enabled=true" JAVA_OPTS="-Xmx256m" bench/run.sh
#       # one lever at a time: scenarios from root-reused root-fresh delegated introspection usage-hot
#       # usage-spread jwks; BROKER_ARGS/JAVA_OPTS go to the broker's command line
#
# It builds the jar if missing, starts the broker on its embedded default in a fresh temporary data
# directory with $RUN_JAVA_HOME (default Temurin 25, the Keycloak peer's JDK), registers a catalog
# through the admin API, runs every scenario at every concurrency and writes
# bench/results-<date>/summary.md. The broker is stopped at the end (also on error or Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUN_JAVA_HOME=${RUN_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$RUN_JAVA_HOME/bin/java" ] || RUN_JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
CONNS=${CONNS:-2 4 8 16}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-20}
SCENARIOS=${SCENARIOS:-root-reused root-fresh delegated introspection usage-hot usage-spread jwks}
BROKER_ARGS=${BROKER_ARGS:-}
JAVA_OPTS=${JAVA_OPTS:-}
want() { [[ " $SCENARIOS " == *" $1 "* ]]; }
PORT=${PORT:-18099}
B=http://localhost:$PORT
OUT=${OUT:-bench/results-$(date +%F-%H%M)}
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/mandate-bench-XXXXXX)
ADMIN_TOKEN=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
TCK=$(getconf CLK_TCK)

[ -f broker-service/target/mandate-broker.jar ] || ./mvnw -B -q -DskipTests install

BROKER_PID=
cleanup() { [ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null && wait "$BROKER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

echo "starting the broker with $("$RUN_JAVA_HOME/bin/java" -version 2>&1 | head -1)"
t0=$(date +%s%N)
MANDATE_DATA_DIR=$WORK/data MANDATE_ADMIN_TOKEN=$ADMIN_TOKEN PORT=$PORT \
  "$RUN_JAVA_HOME/bin/java" $JAVA_OPTS -jar broker-service/target/mandate-broker.jar $BROKER_ARGS > "$OUT/broker.log" 2>&1 &
BROKER_PID=$!
until curl -sf "$B/actuator/health/readiness" >/dev/null; do sleep 0.1; done
READY_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
PG=$(pgrep -f "bin/postgres -D $WORK/data" | head -1)

A="Authorization: Bearer $ADMIN_TOKEN"; J='Content-Type: application/json'
mint() { java examples/DevIssuer.java mint "$WORK/issuer" https://dev-issuer.local "spiffe://acme.org/agents/$1" "$B"; }
java examples/DevIssuer.java init "$WORK/issuer" >/dev/null
curl -sf -X POST "$B/admin/v1/issuers" -H "$A" -H "$J" -d "{\"id\":\"dev\",\"issuer\":\"https://dev-issuer.local\",\"jwks\":$(cat "$WORK/issuer/jwks.json")}" >/dev/null
SECRET=$(curl -sf -X POST "$B/admin/v1/resource-servers" -H "$A" -H "$J" -d '{"id":"orders","audience":"https://orders.example.com"}' | sed 's/.*"client_secret":"\([^"]*\)".*/\1/')
curl -sf -X POST "$B/admin/v1/scopes" -H "$A" -H "$J" -d '{"name":"orders:read","resource_server_id":"orders"}' >/dev/null
curl -sf -X POST "$B/admin/v1/agents" -H "$A" -H "$J" -d '{"id":"coder","issuer_id":"dev","subject":"spiffe://acme.org/agents/coder","allowed_scopes":["orders:read"]}' >/dev/null
curl -sf -X POST "$B/admin/v1/agents" -H "$A" -H "$J" -d '{"id":"planner","issuer_id":"dev","subject":"spiffe://acme.org/agents/planner","allowed_scopes":["orders:read"],"may_delegate_to":["coder"]}' >/dev/null
export AUDIENCE=https://orders.example.com SCOPE=orders:read
export BASIC="Basic $(printf 'orders:%s' "$SECRET" | base64 -w0)"
root_token() {
  curl -sf "$B/oauth2/token" -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \
    --data-urlencode "subject_token=$(mint planner)" -d subject_token_type=urn:ietf:params:oauth:token-type:jwt \
    -d audience=$AUDIENCE -d scope=$SCOPE -d ttl=900 "$@" | sed 's/.*"access_token":"\([^"]*\)".*/\1/'
}
cpu() { local t=0; for p in "$@"; do for q in $p $(pgrep -P "$p" 2>/dev/null); do [ -r /proc/$q/stat ] && t=$((t + $(awk '{print $14+$15}' /proc/$q/stat))); done; done; echo $t; }

echo "| scenario | conns | req/s | p50 ms | p99 ms | non-2xx | broker CPU ms/req | PostgreSQL CPU ms/req |" > "$OUT/summary.md"
echo "|---|---|---|---|---|---|---|---|" >> "$OUT/summary.md"
run() {   # $1 label, $2 lua, $3 path
  for c in $CONNS; do
    wrk -t2 -c"$c" -d"${WARMUP}s" -s "bench/$2" "$B$3" >/dev/null 2>&1 || true
    local c0 p0 c1 p1 r reqs
    c0=$(cpu "$BROKER_PID"); p0=$(cpu "$PG")
    r=$(wrk -t2 -c"$c" -d"${DURATION}s" -s "bench/$2" "$B$3" | grep RESULT)
    c1=$(cpu "$BROKER_PID"); p1=$(cpu "$PG")
    reqs=$(echo "$r" | sed 's/.*reqs=\([0-9]*\).*/\1/')
    local rps p50 p99 bad
    rps=$(echo "$r" | sed 's/.*rps=\([0-9.]*\).*/\1/'); p50=$(echo "$r" | sed 's/.*p50_ms=\([0-9.]*\).*/\1/')
    p99=$(echo "$r" | sed 's/.*p99_ms=\([0-9.]*\).*/\1/'); bad=$(echo "$r" | sed 's/.*non2xx=\([0-9]*\).*/\1/')
    printf '| %s | %s | %s | %s | %s | %s | %.3f | %.3f |\n' "$1" "$c" "$rps" "$p50" "$p99" "$bad" \
      "$(echo "($c1-$c0)*1000/$TCK/$reqs" | bc -l)" "$(echo "($p1-$p0)*1000/$TCK/$reqs" | bc -l)" | tee -a "$OUT/summary.md"
  done
}

export SUBJECT_TOKEN; SUBJECT_TOKEN=$(mint planner)
want root-reused && run "root exchange (workload JWT reused)" exchange.lua /oauth2/token
if want root-fresh; then
  export JWT_FILE=$WORK/jwts.txt
  java examples/DevIssuer.java mint-many "$WORK/issuer" https://dev-issuer.local spiffe://acme.org/agents/planner "$B" 40000 > "$JWT_FILE"
  run "root exchange (fresh workload JWT)" fresh.lua /oauth2/token
fi
if want delegated; then
  SUBJECT_TOKEN=$(root_token); export ACTOR_TOKEN; ACTOR_TOKEN=$(mint coder)
  run "delegated exchange" exchange.lua /oauth2/token
  unset ACTOR_TOKEN
fi
export TOKEN; TOKEN=$(root_token)
want introspection && run "introspection" introspect.lua /oauth2/introspect
export TOKENS; TOKENS=$(root_token -d budget=1000000000000)
want usage-hot && run "usage, one hot account" usage.lua /v1/usage
if want usage-spread; then
  TOKENS=$(for i in $(seq 16); do root_token -d budget=1000000000000; echo; done | paste -sd, -)
  run "usage, 16 accounts" usage.lua /v1/usage
fi
want jwks && run "JWKS" get.lua /oauth2/jwks

RSS=$(awk '/VmRSS/{print $2}' /proc/$BROKER_PID/status); HWM=$(awk '/VmHWM/{print $2}' /proc/$BROKER_PID/status)
{
  echo
  echo "- JDK: $("$RUN_JAVA_HOME/bin/java" -version 2>&1 | head -1); machine: $(nproc) vCPU, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- start to ready (fresh data directory, includes initdb): ${READY_MS} ms; broker RSS after the run: $((RSS/1024)) MiB (peak $((HWM/1024)) MiB)"
  [ -n "$BROKER_ARGS$JAVA_OPTS" ] && echo "- broker options: $JAVA_OPTS $BROKER_ARGS"
  echo "- wrk -t2, ${WARMUP} s warm-up and ${DURATION} s per cell; CPU from /proc (utime+stime) of the broker JVM and of the PostgreSQL processes"
} | tee -a "$OUT/summary.md"
echo "wrote $OUT/summary.md"
