#!/usr/bin/env bash
# Makes sure the services the tests talk to are up on loopback: PostgreSQL (the cluster and
# storage tests create and drop their own databases) and Mosquitto (the MQTT notifier tests).
# Runs before `npm test` and in CI; starts a stopped service the way the machine's docs say,
# and fails loudly rather than let the tests skip.
set -euo pipefail

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local name=$1 port=$2
  for _ in $(seq 1 50); do
    if listening "$port"; then return 0; fi
    sleep 0.2
  done
  echo "$name did not come up on 127.0.0.1:$port" >&2
  exit 1
}

if ! listening 5432; then
  echo "starting PostgreSQL..."
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  wait_for PostgreSQL 5432
fi
if ! listening 1883; then
  echo "starting Mosquitto..."
  mosquitto -d -c /etc/mosquitto/mosquitto.conf
  wait_for Mosquitto 1883
fi
