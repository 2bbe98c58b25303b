#!/usr/bin/env bash
# Benchmark of the mesh agent pair: the same fast backend (nginx, fixed 100-byte body) called directly and through
# node-a's outbound listener -> node-b's inbound listener, in one run, on loopback.
#
#   bench/agent-pair.sh [--quick]
#
# Measures: saturation rps (wrk, 1 thread, 32 connections), latency at a fixed 1000 rps (hey, 10 workers x 100 rps),
# each agent's RSS and CPU seconds per 1000 requests. Writes bench/results/agent-pair-latest.md.
# Absolute numbers on a shared 2-core machine are noisy; compare the ratios of one run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VERSION=0.1.0-SNAPSHOT
DURATION=20; WARMUP=40
HOLD=0
for arg in "$@"; do
  case $arg in
    --quick) DURATION=8; WARMUP=8 ;;
    --hold) HOLD=1 ;;   # set everything up, print the ports, wait (for profiling by hand)
    *) echo "usage: bench/agent-pair.sh [--quick] [--hold]" >&2; exit 2 ;;
  esac
done
RATE_WORKERS=10; RATE_PER_WORKER=100   # 1000 rps in all

PEERS=$ROOT/bench/peers
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
install_missing nginx wrk hey curl git python3
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

for jar in control-plane/target/control-plane-$VERSION-exec.jar mesh-agent/target/mesh-agent-$VERSION-exec.jar; do
  [[ -f $ROOT/$jar ]] || (cd "$ROOT" && ./mvnw -B -q -DskipTests package)
done

bench_init bench
BACKEND=$(free_port); CP=$(free_port)
A_ADMIN=$(free_port); A_OUT=$(free_port); A_IN=$(free_port)
B_ADMIN=$(free_port); B_OUT=$(free_port); B_IN=$(free_port)

# the backend: nginx, one worker, no logs, a fixed 100-byte body
BODY=$(head -c 100 /dev/zero | tr '\0' 'x')
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1; daemon off; pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server { listen 127.0.0.1:$BACKEND; location / { default_type text/plain; return 200 '$BODY'; } } }
NGINX
"$NGINX" -c "$WORK/nginx/nginx.conf" & PIDS+=($!)

# a config repository with the backend as a service
mkdir -p "$WORK/git/config-repo"
cat >"$WORK/git/config-repo/application.yml" <<YAML
mesh:
  services:
    backend:
      timeout: 5s
YAML
init_config_repo "$WORK/git"

JVM="-XX:+UseSerialGC"
# the agents' JVM flags: the ones bin/meshgate ships, unless given
AGENT_JVM=${AGENT_JVM:-$(sed -n 's/^AGENT_JVM_OPTS="\(.*\)"$/\1/p' "$ROOT/bin/meshgate")}
MESHGATE_CONFIG_GIT_URI=$WORK/git MESHGATE_DATA_DIR=$WORK/cp MESHGATE_CONTROL_PLANE_PORT=$CP \
  MESHGATE_CONTROL_PLANE_MANAGEMENT_PORT=$(free_port) java $JVM -Xmx256m -XX:TieredStopAtLevel=1 -jar "$ROOT/control-plane/target/control-plane-$VERSION-exec.jar" \
  >"$WORK/control-plane.log" 2>&1 & PIDS+=($!)
agent() { # name admin out in services [workload args]
  local name=$1 admin=$2 out=$3 in=$4 services=$5; shift 5
  MESHGATE_CONTROL_PLANE_URI=https://127.0.0.1:$CP MESHGATE_DATA_DIR=$WORK/$name MESHGATE_AGENT_NODE=$name \
    MESHGATE_AGENT_JOIN_TOKEN=$(cp_token "$WORK/cp" "$CP" "$name" "$services") \
    MESHGATE_AGENT_ADMIN_PORT=$admin MESHGATE_AGENT_OUTBOUND_PORT=$out MESHGATE_AGENT_INBOUND_PORT=$in \
    java $AGENT_JVM -jar "$ROOT/mesh-agent/target/mesh-agent-$VERSION-exec.jar" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
agent node-a "$A_ADMIN" "$A_OUT" "$A_IN" ""; A_PID=${PIDS[-1]}
agent node-b "$B_ADMIN" "$B_OUT" "$B_IN" backend --meshgate.agent.workloads.backend=http://127.0.0.1:$BACKEND; B_PID=${PIDS[-1]}

deadline=$((SECONDS + 120))
until curl -sf -x "http://127.0.0.1:$A_OUT" http://backend/ >/dev/null 2>&1; do
  (( SECONDS < deadline )) || { echo "the agent pair did not come up; logs in $WORK" >&2; exit 1; }
  sleep 0.5
done

DIRECT=http://127.0.0.1:$BACKEND/
if (( HOLD )); then
  echo "backend $DIRECT, node-a outbound 127.0.0.1:$A_OUT (pid $A_PID), node-b inbound $B_IN (pid $B_PID), logs $WORK"
  echo "try: wrk -t1 -c32 -d10s -H 'Host: backend' http://127.0.0.1:$A_OUT/"
  sleep infinity & wait $!   # in the background, so a TERM reaches the cleanup trap at once
fi
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

echo "Warming up the agents for ${WARMUP}s..."
wrk -t1 -c32 -d"${WARMUP}s" -H "Host: backend" "http://127.0.0.1:$A_OUT/" >/dev/null

saturate() { # url [host] -> rps
  local out; out=$(wrk -t1 -c32 -d"${DURATION}s" ${2:+-H "Host: $2"} "$1")
  echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}'
}
at_rate() { # url [proxy] -> "p50 p99" in ms
  local out; out=$(hey -z "${DURATION}s" -c $RATE_WORKERS -q $RATE_PER_WORKER ${2:+-x "$2"} "$1")
  local p50 p99
  p50=$(echo "$out" | awk '/ 50% in/ {print $3*1000}')
  p99=$(echo "$out" | awk '/ 99% in/ {print $3*1000}')
  echo "$p50 $p99"
}

echo "Saturation (wrk -t1 -c32, ${DURATION}s each)..."
direct_rps=$(saturate "$DIRECT")
a0=$(cpu_ticks $A_PID); b0=$(cpu_ticks $B_PID)
pair_rps=$(saturate "http://127.0.0.1:$A_OUT/" backend)
a1=$(cpu_ticks $A_PID); b1=$(cpu_ticks $B_PID)
pair_requests=$(awk -v r="$pair_rps" -v d="$DURATION" 'BEGIN {print r * d}')

echo "Fixed rate (hey, $((RATE_WORKERS * RATE_PER_WORKER)) rps, ${DURATION}s each, after $((WARMUP / 4))s at that rate)..."
# the JIT compiles what a steady low rate runs only once it sees it: not counted as the agents' CPU per request
hey -z "$((WARMUP / 4))s" -c $RATE_WORKERS -q $RATE_PER_WORKER -x "http://127.0.0.1:$A_OUT" http://backend/ >/dev/null
read -r direct_p50 direct_p99 <<<"$(at_rate "$DIRECT")"
a2=$(cpu_ticks $A_PID); b2=$(cpu_ticks $B_PID)
read -r pair_p50 pair_p99 <<<"$(at_rate http://backend/ "http://127.0.0.1:$A_OUT")"
a3=$(cpu_ticks $A_PID); b3=$(cpu_ticks $B_PID)
rate_requests=$((RATE_WORKERS * RATE_PER_WORKER * DURATION))
rss_a=$(rss_mb $A_PID); rss_b=$(rss_mb $B_PID)

per_1000() { awk -v t="$1" -v hz="$HZ" -v n="$2" 'BEGIN {printf "%.3f", t / hz / n * 1000}'; }
cpu_sat_a=$(per_1000 $((a1 - a0)) "$pair_requests"); cpu_sat_b=$(per_1000 $((b1 - b0)) "$pair_requests")
cpu_rate_a=$(per_1000 $((a3 - a2)) "$rate_requests"); cpu_rate_b=$(per_1000 $((b3 - b2)) "$rate_requests")
added_p50=$(awk -v a="$pair_p50" -v b="$direct_p50" 'BEGIN {printf "%.2f", a - b}')
added_p99=$(awk -v a="$pair_p99" -v b="$direct_p99" 'BEGIN {printf "%.2f", a - b}')
ratio=$(awk -v a="$pair_rps" -v b="$direct_rps" 'BEGIN {printf "%.2f", a / b}')
met() { awk -v v="$1" -v max="$2" 'BEGIN {print (v <= max) ? "met" : "NOT met"}'; }

mkdir -p "$ROOT/bench/results"
RESULT=$ROOT/bench/results/agent-pair-latest.md
cat >"$RESULT" <<MD
# Agent pair benchmark

$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)),
$(java -version 2>&1 | head -1), agents with \`$AGENT_JVM\`, backend nginx (1 worker, 100-byte body),
load generator, backend and both agents on the same machine. Command: \`bench/agent-pair.sh ${1:-}\`.

| | direct | through the agent pair |
|---|---|---|
| saturation rps (wrk -t1 -c32, ${DURATION}s) | $direct_rps | $pair_rps (${ratio}x direct) |
| p50 at 1000 rps (hey) | ${direct_p50} ms | ${pair_p50} ms (+${added_p50} ms) |
| p99 at 1000 rps (hey) | ${direct_p99} ms | ${pair_p99} ms (+${added_p99} ms) |

| agent | RSS after the run | CPU s per 1000 requests at saturation | CPU s per 1000 requests at 1000 rps |
|---|---|---|---|
| node-a (outbound) | ${rss_a} MB | $cpu_sat_a | $cpu_rate_a |
| node-b (inbound) | ${rss_b} MB | $cpu_sat_b | $cpu_rate_b |

Targets (issue 3): agent RSS at 1000 rps at most 96 MB: node-a $(met "$rss_a" 96), node-b $(met "$rss_b" 96);
p99 added by the pair at 1000 rps at most 1 ms: $(met "$added_p99" 1) (+${added_p99} ms).
MD
cat "$RESULT"
