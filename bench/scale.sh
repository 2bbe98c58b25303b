#!/usr/bin/env bash
# Scale benchmark (issue 4): how the gateways' latency grows with the number of routes, and how long a commit takes
# to be applied on every proxy.
#
#   bench/scale.sh [--quick]      (--quick: about 12 minutes on 2 cores; shorter warm-up and runs)
#
# a. Route count: the Meshgate gateway and plain Spring Cloud Gateway with 10, 1,000 and 10,000 routes
#    (/r1/** ... /rN/**, all to the same nginx backend), each on a fresh JVM per count. Requests go to the LAST route
#    in declaration order (the worst case for a linear scan) and to the middle one: p50/p99 at a fixed 1000 rps
#    (hey -c 10 -q 100), saturation rps (wrk -t1 -c32), after a warm-up. Also: the time from launch until the last
#    route answers, the control plane's validation time for the commit, and the Meshgate gateway's live apply time
#    (commit -> the last route answers, on the gateway still running with the previous count).
# b. Commit -> applied: control plane, gateway and two mesh agents; commits that move a route, each timed from `git
#    commit` returning until every proxy's /actuator/mesh reports it as applied (polled every 10 ms): once with the
#    control plane's Git watch alone, once with a push webhook (POST /mesh/v1/poll) right after each commit.
#
# Writes bench/results/scale-latest.md and scale-latest.png. Run it under `flock /tmp/bench.lock` on a shared machine.
# shellcheck disable=SC2154  # PID_<name> variables are set by start() through printf -v
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=$ROOT/bench/peers
VERSION=0.1.0-SNAPSHOT
ARGS="$*"
DURATION=15; WARMUP=30
read -r -a COUNTS <<<"${SCALE_COUNTS:-10 1000 10000}"   # SCALE_COUNTS="10 100" for a smoke test of the script
COMMITS=${SCALE_COMMITS:-20}
for arg in "$@"; do
  case $arg in
    --quick) DURATION=5; WARMUP=20 ;;
    *) echo "usage: bench/scale.sh [--quick]" >&2; exit 2 ;;
  esac
done
CONNECTIONS=32
RATE_WORKERS=10; RATE_PER_WORKER=100
RATE=$((RATE_WORKERS * RATE_PER_WORKER))
HEAP=-Xmx256m                            # both gateways, as in bench/run.sh
START_DEADLINE=300                       # seconds for a gateway with 10,000 routes to come up
TARGET_RATIO=1.2                         # issue 4: latency with 10,000 routes at most 1.2x that with 10
TARGET_LAG_MS=1000                       # issue 4: commit -> applied on every proxy, p99 at most 1 s
RESULT=$ROOT/bench/results/scale-latest.md

# --- tools and jars ---------------------------------------------------------------------------------------------

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# --- processes --------------------------------------------------------------------------------------------------

bench_init scale

start() { # name command... : in the background, logs to $WORK/name.log, pid in PID_<name>
  local name=$1; shift
  echo "=== $(date -u '+%H:%M:%S') bench/scale.sh starts: $*" >>"$WORK/$name.log"   # appends: restarts keep earlier runs
  "$@" >>"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  printf -v "PID_${name//-/_}" '%s' $!
}

stop() { # name
  local var="PID_${1//-/_}"
  [[ -n ${!var:-} ]] || return 0
  local pid=${!var} i
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for i in "${!PIDS[@]}"; do [[ ${PIDS[i]} != "$pid" ]] || unset 'PIDS[i]'; done
  printf -v "$var" '%s' ''
}

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}'; }

# how a child process ended: its exit status, or the signal that ended it (143 = SIGTERM: stopped from outside)
exit_note() { # pid
  local rc=0
  wait "$1" 2>/dev/null || rc=$?
  if (( rc > 128 && rc < 160 )); then echo "pid $1 was killed by SIG$(kill -l $((rc - 128)))"
  else echo "pid $1 exited with status $rc"; fi
}

alive() { # pid what log : fail unless the process still runs
  kill -0 "$1" 2>/dev/null || fail "$2 is gone: $(exit_note "$1")" "$3"
}

wait_for() { # what url log pids [deadline] : until the url answers 200, or fail naming what did not and its log
  local what=$1 url=$2 log=$3 pids=$4 deadline=$((SECONDS + ${5:-180})) pid
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null) == 200 ]]; do
    for pid in $pids; do
      kill -0 "$pid" 2>/dev/null || fail "$what: $(exit_note "$pid") before $url answered 200" "$log"
    done
    (( SECONDS < deadline )) || fail "$what did not answer 200 on $url within ${5:-180}s" "$log"
    sleep 0.05
  done
}

rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# --- config -----------------------------------------------------------------------------------------------------

REPO=$WORK/git
CONFIG=config-repo/application.yml

mesh_config() { # routes [extra route lines] -> the Meshgate config with N routes /r1/** .. /rN/** to the backend
  local n=$1 extra=${2:-}
  cat <<YAML
mesh:
  services:
    backend:
      timeout: 5s
      endpoints: [ http://127.0.0.1:$BACKEND_PORT ]
    mesh-backend:
      timeout: 5s
  routes:
YAML
  awk -v n="$n" 'BEGIN {for (i = 1; i <= n; i++) printf "    - { id: r%d, ingress: { path: /r%d/** }, to: backend }\n", i, i}'
  [[ -z $extra ]] || echo "$extra"
}

scg_config() { # routes -> plain SCG's routes in YAML; it replaces the one route of its application.properties
  local n=$1
  echo "spring.cloud.gateway.server.webflux.routes:"
  awk -v n="$n" -v uri="http://127.0.0.1:$BACKEND_PORT" 'BEGIN {
    for (i = 1; i <= n; i++) printf "  - id: r%d\n    uri: %s\n    predicates: [ \"Path=/r%d/**\" ]\n", i, uri, i}'
}

commit() { # message -> the new commit id
  git -C "$REPO" add -A
  git -C "$REPO" -c user.name=bench -c user.email=bench@local commit -qm "$1"
  git -C "$REPO" rev-parse HEAD
}

# asks the control plane to check Git now and fails unless it found this commit valid; prints the seconds it took
validate() { # commit t0
  local t0=$2 status
  status=$(curl -s --cacert "$WORK/cp/control-plane/ca/ca.crt" -X POST "https://127.0.0.1:$CP_PORT/mesh/v1/poll" -d '{}' \
    -H "X-Hub-Signature-256: sha256=$(printf '{}' | openssl dgst -sha256 -hmac "$WEBHOOK_SECRET" | sed 's/^.* //')") \
    || fail "the control plane did not answer POST /mesh/v1/poll" "$WORK/control-plane.log"
  local took; took=$(since "$t0")
  [[ $status == *"\"version\":\"$1\""* ]] \
    || fail "the control plane did not pick up commit $1 (status: ${status:0:300})" "$WORK/control-plane.log"
  [[ $status == *'"valid":true'* ]] \
    || fail "the control plane rejected the generated config: ${status:0:1000}" "$WORK/control-plane.log"
  echo "$took"
}

applied_version() { # url of /actuator/mesh -> the applied version it reports (the first "version" key)
  curl -s "$1" | grep -o '"version":"[^"]*"' | head -1 | cut -d'"' -f4
}

# --- load -------------------------------------------------------------------------------------------------------

# p50 and p99 at the fixed rate, from every request's time (hey's CSV), and the non-200 count
at_rate() { # url -> "p50 p99 non200"
  local csv=$WORK/hey.csv
  hey -z "${DURATION}s" -c $RATE_WORKERS -q $RATE_PER_WORKER -o csv "$1" >"$csv"
  awk -F, 'NR > 1 && $1 ~ /^[0-9.]+$/ {print $1 * 1000, $7}' "$csv" | sort -n | awk '
    {v[++n] = $1; if ($2 != 200) bad++}
    function pct(q,  i) {i = int(n * q + 0.999999); if (i < 1) i = 1; return v[i]}
    END {printf "%.2f %.2f %d\n", pct(0.5), pct(0.99), bad}'
}

saturate() { # url seconds -> "rps errors" (non-2xx and socket errors)
  wrk -t1 -c$CONNECTIONS -d"$2s" "$1" | awk '
    /Requests\/sec/ {rps = $2}
    /Non-2xx/ {bad = $NF}
    /Socket errors/ {gsub(/[^0-9 ]/, " "); err = $1 + $2 + $3 + $4}
    END {printf "%.0f %d\n", rps, bad + err}'
}

ROWS=()       # "proxy routes position p50 p99 rps errors"
STARTS=()     # "proxy routes start-seconds apply-seconds validate-seconds rss"

measure() { # proxy routes base-url pid
  local proxy=$1 n=$2 base=$3 pid=$4 position p50 p99 bad rps err
  local -A at=([last]=$n [middle]=$(( (n + 1) / 2 ))) best=([last]=0 [middle]=0) errors=([last]=0 [middle]=0)
  echo "  warming $proxy with $n routes for ${WARMUP}s"
  saturate "$base/r$n/bench" "$WARMUP" >/dev/null
  alive "$pid" "$proxy (warming up with $n routes)" "$WORK/$proxy.log"
  # saturation in interleaved rounds, the best counts (as in bench/run.sh); then the fixed rate, on a warmer JVM
  for _ in 1 2; do
    for position in last middle; do
      read -r rps err <<<"$(saturate "$base/r${at[$position]}/bench" "$DURATION")"
      alive "$pid" "$proxy (during the measurement with $n routes)" "$WORK/$proxy.log"
      if (( rps > best[$position] )); then best[$position]=$rps; fi
      errors[$position]=$(( errors[$position] + err ))
    done
  done
  for position in last middle; do
    read -r p50 p99 bad <<<"$(at_rate "$base/r${at[$position]}/bench")"
    alive "$pid" "$proxy (during the measurement with $n routes)" "$WORK/$proxy.log"
    err=$(( errors[$position] + bad ))
    echo "  $proxy, $n routes, $position route (/r${at[$position]}/): p50 $p50 ms, p99 $p99 ms, ${best[$position]} rps, $err errors"
    ROWS+=("$proxy $n $position $p50 $p99 ${best[$position]} $err")
  done
}

route_scale() {
  local n first=1 sha validated t0 started applied rss
  mkdir -p "$REPO/config-repo"
  git -C "$REPO" init -q -b main
  for n in "${COUNTS[@]}"; do
    echo "== $n routes"
    mesh_config "$n" >"$REPO/$CONFIG"
    sha=$(commit "$n routes")
    t0=$(now)
    if (( first )); then
      MESHGATE_CONFIG_GIT_URI=$REPO MESHGATE_DATA_DIR=$WORK/cp MESHGATE_CONTROL_PLANE_PORT=$CP_PORT \
        MESHGATE_CONTROL_PLANE_MANAGEMENT_PORT=$CP_MGMT_PORT MESHGATE_CONTROL_PLANE_WEBHOOK_SECRET=$WEBHOOK_SECRET \
        start control-plane java -XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1 \
          -jar "$ROOT/control-plane/target/control-plane-$VERSION-exec.jar"
      wait_for "control plane" "http://127.0.0.1:$CP_MGMT_PORT/actuator/health" "$WORK/control-plane.log" \
        "$PID_control_plane"
      t0=$(now)   # it validated the first commit while starting: what follows only confirms it
    fi
    validated=$(validate "$sha" "$t0")
    echo "  control plane: commit -> checked and valid in ${validated}s (POST /mesh/v1/poll right after the commit)"
    applied=-
    if [[ -n ${PID_gateway:-} ]]; then
      alive "$PID_gateway" "the Meshgate gateway left running with the previous route count" "$WORK/gateway.log"
      # the gateway still runs with the previous count: the new last route answers once the commit is live
      wait_for "Meshgate gateway (live apply of $n routes)" "http://127.0.0.1:$GW_PORT/r$n/bench" \
        "$WORK/gateway.log" "$PID_gateway $PID_control_plane" "$START_DEADLINE"
      applied=$(since "$t0")
      [[ $(applied_version "http://127.0.0.1:$GW_MGMT_PORT/actuator/mesh") == "$sha" ]] \
        || fail "the gateway serves /r$n/ but does not report commit $sha as applied" "$WORK/gateway.log"
      echo "  Meshgate gateway: commit -> /r$n/ answers on the running gateway in ${applied}s"
      stop gateway
    fi
    first=0

    # a fresh gateway per count, like plain SCG (a fresh data dir: no last-known-good copy to start from)
    t0=$(now)
    MESHGATE_CONTROL_PLANE_URI=https://127.0.0.1:$CP_PORT MESHGATE_DATA_DIR=$WORK/gateway-$n \
      MESHGATE_GATEWAY_PORT=$GW_PORT MESHGATE_GATEWAY_MANAGEMENT_PORT=$GW_MGMT_PORT \
      MESHGATE_GATEWAY_JOIN_TOKEN=$(cp_token "$WORK/cp" "$CP_PORT" gateway gateway) \
      start gateway java -XX:+UseSerialGC $HEAP -jar "$ROOT/gateway/target/gateway-$VERSION-exec.jar"
    wait_for "Meshgate gateway with $n routes" "http://127.0.0.1:$GW_PORT/r$n/bench" \
      "$WORK/gateway.log (control plane: $WORK/control-plane.log)" "$PID_gateway $PID_control_plane" "$START_DEADLINE"
    started=$(since "$t0")
    echo "  Meshgate gateway: launch -> /r$n/ answers in ${started}s"
    measure gateway "$n" "http://127.0.0.1:$GW_PORT" "$PID_gateway"
    rss=$(rss_mb "$PID_gateway")
    STARTS+=("gateway $n $started $applied $validated $rss")

    scg_config "$n" >"$WORK/plain-scg-routes.yml"
    t0=$(now)
    BENCH_PORT=$SCG_PORT start plain-scg java -XX:+UseSerialGC $HEAP \
      -jar "$PEERS/plain-scg/target/plain-scg-$VERSION.jar" \
      --spring.config.additional-location="file:$WORK/plain-scg-routes.yml"
    wait_for "plain Spring Cloud Gateway with $n routes" "http://127.0.0.1:$SCG_PORT/r$n/bench" \
      "$WORK/plain-scg.log" "$PID_plain_scg" "$START_DEADLINE"
    started=$(since "$t0")
    echo "  plain SCG: launch -> /r$n/ answers in ${started}s"
    # its own single catch-all route must be gone, or every request would match it first
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SCG_PORT/elsewhere") == 404 ]] \
      || fail "plain SCG still serves paths outside /r1..r$n (its application.properties route was not replaced)" \
        "$WORK/plain-scg.log"
    measure plain-scg "$n" "http://127.0.0.1:$SCG_PORT" "$PID_plain_scg"
    rss=$(rss_mb "$PID_plain_scg")
    STARTS+=("plain-scg $n $started - - $rss")
    stop plain-scg
  done
  stop gateway
}

# --- commit -> applied ------------------------------------------------------------------------------------------

LAGS=()   # "trigger n p50 p99 max slowest"

commit_lag() {
  echo "== commit -> applied on the gateway and two agents"
  # a small config with one route whose path every commit moves
  mesh_config 10 '    - { id: moving, ingress: { path: /moving-@COMMIT@/** }, to: backend }' >"$WORK/lag-template.yml"
  sed 's/@COMMIT@/0/' "$WORK/lag-template.yml" >"$REPO/$CONFIG"
  local sha; sha=$(commit "commit lag: start")
  validate "$sha" "$(now)" >/dev/null
  MESHGATE_CONTROL_PLANE_URI=https://127.0.0.1:$CP_PORT MESHGATE_DATA_DIR=$WORK/gateway-lag \
    MESHGATE_GATEWAY_PORT=$GW_PORT MESHGATE_GATEWAY_MANAGEMENT_PORT=$GW_MGMT_PORT \
    MESHGATE_GATEWAY_JOIN_TOKEN=$(cp_token "$WORK/cp" "$CP_PORT" gateway gateway) \
    start gateway java -XX:+UseSerialGC $HEAP -jar "$ROOT/gateway/target/gateway-$VERSION-exec.jar"
  agent() { # name admin out in services [args]
    local name=$1 admin=$2 out=$3 in=$4 services=$5; shift 5
    # shellcheck disable=SC2086
    MESHGATE_CONTROL_PLANE_URI=https://127.0.0.1:$CP_PORT MESHGATE_DATA_DIR=$WORK/$name MESHGATE_AGENT_NODE=$name \
      MESHGATE_AGENT_JOIN_TOKEN=$(cp_token "$WORK/cp" "$CP_PORT" "$name" "$services") \
      MESHGATE_AGENT_ADMIN_PORT=$admin MESHGATE_AGENT_OUTBOUND_PORT=$out MESHGATE_AGENT_INBOUND_PORT=$in \
      start "$name" java $AGENT_JVM -jar "$ROOT/mesh-agent/target/mesh-agent-$VERSION-exec.jar" "$@"
  }
  agent node-a "$A_ADMIN" "$(free_port)" "$(free_port)" ""
  agent node-b "$B_ADMIN" "$(free_port)" "$(free_port)" mesh-backend --meshgate.agent.workloads.mesh-backend=http://127.0.0.1:"$BACKEND_PORT"
  wait_for "Meshgate gateway" "http://127.0.0.1:$GW_PORT/moving-0/bench" "$WORK/gateway.log" "$PID_gateway $PID_control_plane"
  wait_for "mesh agent node-a" "http://127.0.0.1:$A_ADMIN/actuator/health" "$WORK/node-a.log" "$PID_node_a"
  wait_for "mesh agent node-b" "http://127.0.0.1:$B_ADMIN/actuator/health" "$WORK/node-b.log" "$PID_node_b"
  local proxies=(--proxy "gateway=http://127.0.0.1:$GW_MGMT_PORT/actuator/mesh"
    --proxy "node-a=http://127.0.0.1:$A_ADMIN/actuator/mesh" --proxy "node-b=http://127.0.0.1:$B_ADMIN/actuator/mesh")
  local trigger webhook out start=1 summary
  for trigger in watch webhook; do
    webhook=(); [[ $trigger == webhook ]] \
      && webhook=(--webhook "https://127.0.0.1:$CP_PORT/mesh/v1/poll" --webhook-secret "$WEBHOOK_SECRET"
        --webhook-ca "$WORK/cp/control-plane/ca/ca.crt")
    echo "  $COMMITS commits, trigger: $trigger"
    out=$WORK/commit-lag-$trigger.txt
    python3 "$ROOT/bench/commit-lag.py" --repo "$REPO" --file "$CONFIG" --template "$WORK/lag-template.yml" \
      --commits "$COMMITS" --start "$start" "${webhook[@]}" "${proxies[@]}" | tee "$out" | sed 's/^/    /' \
      || fail "commit -> applied ($trigger) did not complete" \
        "$WORK/gateway.log, $WORK/node-a.log, $WORK/node-b.log, $WORK/control-plane.log"
    summary=$(awk '/^summary/ {print $2, $3, $4, $5, $6}' "$out")
    [[ -n $summary ]] || fail "commit-lag.py printed no summary" "$out"
    LAGS+=("$trigger $summary")
    start=$((start + COMMITS))
  done
  alive "$PID_gateway" "the Meshgate gateway (after the commit runs)" "$WORK/gateway.log"
  alive "$PID_node_a" "mesh agent node-a (after the commit runs)" "$WORK/node-a.log"
  alive "$PID_node_b" "mesh agent node-b (after the commit runs)" "$WORK/node-b.log"
}

# --- report -----------------------------------------------------------------------------------------------------

label() { case $1 in gateway) echo "Meshgate gateway" ;; plain-scg) echo "plain Spring Cloud Gateway" ;; esac; }
met() { if (( $1 )); then echo "**met**"; else echo "**NOT met**"; fi; }
row() { # proxy routes position -> "p50 p99 rps errors"
  local r
  for r in "${ROWS[@]}"; do
    read -r p n pos rest <<<"$r"
    [[ $p == "$1" && $n == "$2" && $pos == "$3" ]] && { echo "$rest"; return; }
  done
}

report() {
  local lo=${COUNTS[0]} hi=${COUNTS[-1]} r proxy n pos p50 p99 rps bad
  mkdir -p "$(dirname "$RESULT")"
  {
    echo "# Route scale and commit -> applied"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)),"
    echo "$(java -version 2>&1 | head -1). Command: \`bench/scale.sh${ARGS:+ $ARGS}\`. Load generators, backend (nginx, 1"
    echo "worker, 100-byte body) and every process on the same machine, on loopback. Both gateways: \`-XX:+UseSerialGC"
    echo "$HEAP\`, a fresh JVM per route count; agents: \`$AGENT_JVM\`. Load average (1, 5, 15 min) before the run:"
    echo "$LOAD_BEFORE; after: $LOAD_AFTER."
    echo
    echo "## Route count"
    echo
    echo "Routes \`/r1/**\` ... \`/rN/**\` in declaration order, all to the backend (Meshgate: \`mesh.routes\` in a"
    echo "temporary config repository; plain SCG: the same routes in YAML given with \`--spring.config.additional-location\`)."
    echo "Per count: a ${WARMUP}s \`wrk\` warm-up on the last route; saturation \`wrk -t1 -c$CONNECTIONS -d${DURATION}s\`, best of 2"
    echo "rounds interleaving the last and the middle route; then \`hey -c $RATE_WORKERS -q $RATE_PER_WORKER -z ${DURATION}s\` ($RATE rps;"
    echo "percentiles of every request's time, 0.1 ms resolution) on each. Errors: non-2xx and socket errors of all runs."
    echo
    echo "| proxy | routes | request to | p50 at $RATE rps | p99 at $RATE rps | saturation rps | errors |"
    echo "|---|---|---|---|---|---|---|"
    for r in "${ROWS[@]}"; do
      read -r proxy n pos p50 p99 rps bad <<<"$r"
      local route=$n; [[ $pos == middle ]] && route=$(( (n + 1) / 2 ))
      local over=; (( rps >= RATE )) || { over=" *"; OVERLOADED=1; }
      echo "| $(label "$proxy") | $n | $pos (/r$route/) | $p50 ms$over | $p99 ms$over | $rps | $bad |"
    done
    if (( ${OVERLOADED:-0} )); then
      echo
      echo "\* saturation is below the fixed rate of $RATE rps here: hey's workers wait for each answer, so this is the"
      echo "latency of an overloaded proxy (queueing), not the routing cost alone."
    fi
    echo
    echo "Latency with $hi routes / latency with $lo routes (target: at most ${TARGET_RATIO}x, on the last route's p50 and p99):"
    echo
    echo "| proxy | request to | p50 ratio | p99 ratio | rps ratio | target |"
    echo "|---|---|---|---|---|---|"
    for proxy in gateway plain-scg; do
      for pos in last middle; do
        local a b ra rb ok
        read -r a b _ _ <<<"$(row "$proxy" "$hi" "$pos")"
        read -r ra rb _ _ <<<"$(row "$proxy" "$lo" "$pos")"
        local q50 q99 qrps
        q50=$(awk -v x="$a" -v y="$ra" 'BEGIN {printf "%.2f", x / y}')
        q99=$(awk -v x="$b" -v y="$rb" 'BEGIN {printf "%.2f", x / y}')
        read -r _ _ a _ <<<"$(row "$proxy" "$hi" "$pos")"; read -r _ _ ra _ <<<"$(row "$proxy" "$lo" "$pos")"
        qrps=$(awk -v x="$a" -v y="$ra" 'BEGIN {printf "%.2f", x / y}')
        ok=$(awk -v x="$q50" -v y="$q99" -v t="$TARGET_RATIO" 'BEGIN {print (x <= t && y <= t)}')
        if [[ $pos == last ]]; then ok=$(met "$ok"); else ok="(middle: for reference)"; fi
        echo "| $(label "$proxy") | $pos | ${q50}x | ${q99}x | ${qrps}x | $ok |"
      done
    done
    echo
    echo "Start and apply: launch = JVM start until the last route answers 200 (the Meshgate gateway fetches its config"
    echo "from the control plane); control plane validation = commit until \`POST /mesh/v1/poll\`, sent right after"
    echo "the commit, returns: once the commit is validated for each application; live apply = commit until the last"
    echo "route answers on the gateway still running with the previous count (includes the validation). RSS after the"
    echo "measurements."
    echo
    echo "| proxy | routes | launch -> last route answers | control plane validation | live apply (commit -> last route answers) | RSS |"
    echo "|---|---|---|---|---|---|"
    for r in "${STARTS[@]}"; do
      local s a v m
      read -r proxy n s a v m <<<"$r"
      echo "| $(label "$proxy") | $n | ${s} s | $( [[ $v == - ]] && echo - || echo "$v s") | $( [[ $a == - ]] && echo - || echo "$a s") | $m MB |"
    done
    echo
    echo "## Commit -> applied on every proxy"
    echo
    echo "Control plane, Meshgate gateway and two mesh agents; $COMMITS commits per row, each moving one route's path"
    echo "(a random 0.2-1.2 s apart), timed from \`git commit\` returning until the gateway's and both agents'"
    echo "\`/actuator/mesh\` report the commit as the applied \`version\` (polled every 10 ms). watch: the control plane's"
    echo "Git watch alone (by default it polls a repository on its own machine every 250 ms); webhook: \`POST /mesh/v1/poll\` right after the commit, as a"
    echo "Git host's push webhook would. Nearest-rank percentiles: with $COMMITS samples p99 is the maximum."
    echo
    echo "| trigger | commits | p50 | p99 (= max) | max | slowest proxy most often | target: p99 at most ${TARGET_LAG_MS} ms |"
    echo "|---|---|---|---|---|---|---|"
    for r in "${LAGS[@]}"; do
      local trig cnt l50 l99 lmax slow
      read -r trig cnt l50 l99 lmax slow <<<"$r"
      echo "| $trig | $cnt | $l50 ms | $l99 ms | $lmax ms | $slow | $(met "$(( l99 <= TARGET_LAG_MS ))") |"
    done
    echo
    echo "Every commit's time until all three applied it, in commit order (ms):"
    echo
    for trig in watch webhook; do
      echo "- $trig: $(awk '/^commit/ {sub(/all=/, "", $NF); printf "%s%s", sep, $NF; sep = ", "}' "$WORK/commit-lag-$trig.txt")"
    done
    echo
    echo "Chart: [scale-latest.png](scale-latest.png) (\`bench/chart.sh\`)."
  } >"$RESULT"
  cat "$RESULT"
  "$ROOT/bench/chart.sh" "$RESULT" "${RESULT%.md}.png" || echo "WARNING: the chart was not drawn" >&2
}

main() {
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  install_missing nginx wrk hey curl git python3
  build_missing
  BACKEND_PORT=$(free_port); CP_PORT=$(free_port); CP_MGMT_PORT=$(free_port); GW_PORT=$(free_port)
  GW_MGMT_PORT=$(free_port)
  # the Git webhook is signed (HMAC-SHA256 of the body), as a Git host signs it
  WEBHOOK_SECRET=bench-webhook-secret
  SCG_PORT=$(free_port); A_ADMIN=$(free_port); B_ADMIN=$(free_port)
  AGENT_JVM=$(sed -n 's/^AGENT_JVM_OPTS="\(.*\)"$/\1/p' "$ROOT/bin/meshgate")
  local body; body=$(head -c 100 /dev/zero | tr '\0' 'x')
  mkdir -p "$WORK/backend-tmp"
  sed -e "s|@WORK@|$WORK|g" -e "s|@PORT@|$BACKEND_PORT|g" -e "s|@BODY@|$body|g" "$PEERS/backend-nginx.conf" >"$WORK/backend.conf"
  start backend "$(command -v nginx || echo /usr/sbin/nginx)" -c "$WORK/backend.conf"
  wait_for "backend nginx" "http://127.0.0.1:$BACKEND_PORT/" "$WORK/backend-error.log" "$PID_backend"
  echo "Logs in $WORK"
  route_scale
  commit_lag
  LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
  report
}

main
