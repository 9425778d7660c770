#!/usr/bin/env bash
# Entrypoint of the Syncline image (docker/Dockerfile runs it under tini). The same file runs
# unchanged on the test hosts of scripts/netns-cluster, so what is tested is what ships.
#
#   entrypoint [daemon [DAEMON_FLAGS...]]   create the identity if missing, then run the node
#   entrypoint COMMAND [ARGS...]           any other syncline command, e.g. `id --init`
#
# Settings come from the environment; the daemon reads them itself (see
# packages/daemon/src/env-config.ts and docker/README.md):
#   SYNCLINE_HOME     the node home (default /config): identity, config.json, api-token
#   SYNCLINE_LISTEN   comma-separated multiaddrs (the image sets /ip4/0.0.0.0/tcp/4001)
#   SYNCLINE_PEERS    comma-separated DEVICE_ID@MULTIADDR, e.g. 12D3KooW…@/dns4/node-b/tcp/4001
#   SYNCLINE_FOLDERS  comma-separated ID=PATH, shared with every device of SYNCLINE_PEERS
#   SYNCLINE_MDNS, SYNCLINE_API_PORT, SYNCLINE_LOG
set -euo pipefail

export SYNCLINE_HOME="${SYNCLINE_HOME:-/config}"
home="$SYNCLINE_HOME"

log() { printf 'syncline-entrypoint: %s\n' "$*" >&2; }
fail() {
  log "error: $*"
  exit 1
}

# Anything but `daemon` (or daemon flags) is a plain syncline command.
if [[ $# -gt 0 && "$1" != daemon && "$1" != -* ]]; then
  exec syncline "$@"
fi
if [[ "${1:-}" == daemon ]]; then shift; fi

# A directory the node must write to, with the fix for the usual bind-mount mistake.
ensure_writable_dir() {
  local dir="$1" what="$2"
  mkdir -p -- "$dir" 2>/dev/null || fail "cannot create $what $dir as uid $(id -u); on the host run: chown -R $(id -u):$(id -g) <the directory mounted there>"
  [[ -w "$dir" ]] || fail "$what $dir is not writable by uid $(id -u); on the host run: chown -R $(id -u):$(id -g) <the directory mounted there>"
}

ensure_writable_dir "$home" "the node home"

# Every SYNCLINE_PEERS entry needs a device ID; an empty one means the .env step was skipped.
IFS=',' read -r -a peer_entries <<<"${SYNCLINE_PEERS:-}"
for entry in "${peer_entries[@]}"; do
  entry="${entry#"${entry%%[![:space:]]*}"}"
  if [[ "$entry" == @* ]]; then
    fail "SYNCLINE_PEERS has an entry without a device ID (\"$entry\"): put every node's device ID in docker/.env first (SYNCLINE_ID_A=…; see \"Trust\" in docker/README.md)"
  fi
done

IFS=',' read -r -a folder_entries <<<"${SYNCLINE_FOLDERS:-}"
for entry in "${folder_entries[@]}"; do
  [[ "$entry" == *=* ]] || continue # the daemon reports the malformed entry
  folder_path="${entry#*=}"
  ensure_writable_dir "$folder_path" "folder \"${entry%%=*}\""
done

# A container always starts in a fresh PID namespace, so a runtime file left by a daemon that
# was killed (SIGKILL, OOM, power loss) can name a PID that now belongs to another process.
# Only a daemon that answers on its control API counts as running.
runtime_file="$home/daemon.json"
if [[ -e "$runtime_file" ]]; then
  if syncline status --home "$home" >/dev/null 2>&1; then
    fail "a daemon is already running for $home"
  fi
  log "removing $runtime_file left by a daemon that did not stop cleanly"
  rm -f -- "$runtime_file"
fi

device_id="$(syncline id --init --home "$home")"
log "device ID: $device_id (home $home)"

# exec: the daemon replaces this shell, so SIGTERM from tini (docker stop) reaches it directly.
exec syncline daemon --home "$home" --json "$@"
