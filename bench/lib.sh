# shellcheck shell=bash
# What the bench scripts share: tools, jars, the work directory, background processes and their cleanup.
# Sourced after ROOT, PEERS and VERSION are set; bench_init <name> creates $WORK and the traps.

install_missing() { # tools... : apt-installs those missing (packages named like their commands)
  local need=() tool
  for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || need+=("$tool"); done
  (( ${#need[@]} )) || return 0
  echo "Installing ${need[*]}..."
  local sudo=; [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
}

build_missing() {
  local jar
  for jar in control-plane/target/control-plane-$VERSION-exec.jar gateway/target/gateway-$VERSION-exec.jar \
             mesh-agent/target/mesh-agent-$VERSION-exec.jar; do
    if [[ ! -f $ROOT/$jar ]]; then
      echo "Building Meshgate ($jar is missing)..."
      (cd "$ROOT" && ./mvnw -B -q -DskipTests package)
      break
    fi
  done
  # plain SCG is its own project, outside the main reactor: the peer must not inherit anything of ours
  if [[ ! -f $PEERS/plain-scg/target/plain-scg-$VERSION.jar ]]; then
    echo "Building plain Spring Cloud Gateway..."
    (cd "$ROOT" && ./mvnw -f bench/peers/plain-scg/pom.xml -B -q -DskipTests package)
  fi
}

# shellcheck disable=SC2034  # WORK and PIDS are for the scripts that source this file
bench_init() { # name : $WORK under /tmp, every started process stopped on exit
  WORK=$(mktemp -d "/tmp/meshgate-$1.XXXXXX")
  PIDS=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM   # through the EXIT trap, so an interrupted run leaves nothing behind
}

bench_cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

init_config_repo() { # dir : a Git repository of what is in dir, committed once, for a control plane to serve
  git -C "$1" init -q -b main && git -C "$1" add -A \
    && git -C "$1" -c user.name=bench -c user.email=bench@local commit -qm bench
}

# A port nothing listens on, never one handed out before in this run: a process that starts slowly has not bound its
# port yet when the next one asks, and the kernel may hand the same port out again (it did: two targets on one port).
# The list lives in a file because callers run this in $(...) subshells ($$ is still the script's pid there).
free_port() {
  local used=${WORK:-${TMPDIR:-/tmp}}/ports-used.$$ port
  while :; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    grep -qx "$port" "$used" 2>/dev/null || break
  done
  echo "$port" >>"$used"
  echo "$port"
}

# A join token from a control plane started with data dir $1 on port $2, as its operator (TLS trusting the CA root
# it made there, with the operator secret it made there). Waits for it to answer.
cp_token() { # data_dir port node services(comma-separated, may be empty) -> the token
  local dir=$1 port=$2 node=$3 services=$4 deadline=$((SECONDS + 120)) list answer
  until [[ -r $dir/control-plane/operator.secret && -r $dir/control-plane/ca/ca.crt ]] \
      && curl -sf -o /dev/null --cacert "$dir/control-plane/ca/ca.crt" "https://127.0.0.1:$port/mesh/v1/trust-bundle"; do
    (( SECONDS < deadline )) || { echo "FAILED: no control plane answering on $port for a join token" >&2; exit 1; }
    sleep 0.2
  done
  list=$(printf '"%s",' ${services//,/ }); list="[${list%,}]"; [[ $list == '[""]' ]] && list='[]'
  answer=$(curl -s --cacert "$dir/control-plane/ca/ca.crt" -X POST "https://127.0.0.1:$port/mesh/v1/tokens" \
    -H "Authorization: Bearer $(cat "$dir/control-plane/operator.secret")" -H 'Content-Type: application/json' \
    -d "{\"node\":\"$node\",\"services\":$list,\"ttl\":\"1h\"}")
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' <<<"$answer" \
    || { echo "FAILED: no join token for $node: $answer" >&2; exit 1; }
}

# A CA and two ECDSA P-256 certificates signed by it for the nginx mutual-TLS pair (inbound server, outbound client).
mtls_certificates() { # dir
  local dir=$1 name
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=bench-ca \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  for name in in out; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$name.mesh" \
      -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
    printf 'subjectAltName=DNS:inbound.mesh,URI:spiffe://bench/%s\n' "$name" >"$dir/$name.ext"
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
      -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
  done
}

fail() { # message log
  echo "FAILED: $1; its log: $2" >&2
  tail -n 30 "${2%% *}" >&2 2>/dev/null || true
  exit 1
}
