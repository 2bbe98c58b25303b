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

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

fail() { # message log
  echo "FAILED: $1; its log: $2" >&2
  tail -n 30 "${2%% *}" >&2 2>/dev/null || true
  exit 1
}
