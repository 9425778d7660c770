#!/usr/bin/env bash
# One-time setup of docker/compose.yml: creates each node's identity in its /config volume
# (`syncline id --init`, no daemon started) and writes the device IDs to .env beside this
# file as SYNCLINE_ID_A, SYNCLINE_ID_B, SYNCLINE_ID_C, which the compose file reads to set
# up trust. Safe to run again: an existing identity is kept, so the IDs do not change.
# Other lines of an existing .env are kept.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
nodes=(a b c)
env_file=.env
new_env="$(mktemp .env.XXXXXX)"
trap 'rm -f -- "$new_env"' EXIT

if [[ -f "$env_file" ]]; then
  grep -v '^SYNCLINE_ID_[A-Z]=' "$env_file" >"$new_env" || true
fi

for node in "${nodes[@]}"; do
  device_id="$(docker compose run --rm --no-deps -T "node-$node" id --init | tr -d '\r')"
  if [[ ! "$device_id" =~ ^[1-9A-HJ-NP-Za-km-z]{40,60}$ ]]; then
    printf 'init-env: node-%s printed "%s", not a device ID\n' "$node" "$device_id" >&2
    exit 1
  fi
  printf 'SYNCLINE_ID_%s=%s\n' "${node^^}" "$device_id" >>"$new_env"
  printf 'node-%s: %s\n' "$node" "$device_id"
done

chmod 0644 "$new_env"
mv -- "$new_env" "$env_file"
printf 'wrote %s; now run: docker compose up -d\n' "$PWD/$env_file"
