#!/bin/sh
# docker-compose's one-shot "join-tokens" job: as the control plane's operator (the secret and the CA root it made
# in its data volume, mounted read-only at /control-plane), makes a join token for each proxy of the compose
# topology and writes it to <its volume>/<node>.token, which the proxies read (MESHGATE_*_JOIN_TOKEN_FILE). A proxy
# that already holds an identity in its own volume ignores its token; an unused token expires after 10 minutes.
#   usage: compose-join-tokens.sh https://control-plane:8888 node=service,service ...
set -eu
url=$1; shift
secret=$(cat /control-plane/control-plane/operator.secret)
ca=/control-plane/control-plane/ca/ca.crt
# the image's data directory: a new named volume mounted there is writable by the image's user
tokens=/var/lib/meshgate
for grant in "$@"; do
  node=${grant%%=*}
  services=$(printf '%s' "${grant#*=}" | sed 's/[^,][^,]*/"&"/g')
  answer=$(curl -sS --fail-with-body --retry 30 --retry-connrefused --retry-delay 1 --cacert "$ca" \
    -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' \
    -d "{\"node\":\"$node\",\"services\":[$services],\"ttl\":\"10m\"}" "$url/mesh/v1/tokens") \
    || { echo "no join token for $node: $answer" >&2; exit 1; }
  printf '%s\n' "$answer" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p' >"$tokens/$node.token"
  [ -s "$tokens/$node.token" ] || { echo "no token in the answer for $node: $answer" >&2; exit 1; }
  echo "join token for $node (services: ${grant#*=}) written to $tokens/$node.token"
done
