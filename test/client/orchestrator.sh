#!/usr/bin/env bash
# A toy orchestrator for the reconcile test, driving ipcd through the ipcd-client CLI (on PATH).
# $1 is its inventory: the instances it runs, one per line (what `reconcile --live` reads).
# Every further argument is a job, run concurrently like an orchestrator's workers:
#   create:ID  CommissionIP, boot the VM (a pause), then record the instance in the inventory
#   delete:ID  drop the instance from the inventory, tear the VM down (a pause), then DecommissionIP
# It runs its VMs on $ORCH_DC VLAN $ORCH_VLAN. The pause is $ORCH_STEP_SECONDS (default 0). Killed during it, the orchestrator leaves allocations
# its inventory no longer accounts for: created but never recorded, or forgotten but never released.
set -euo pipefail
inventory=$1
shift
touch "$inventory"
pause() { sleep "${ORCH_STEP_SECONDS:-0}"; }

create() {
  ipcd-client commission --dc "$ORCH_DC" --vlan "$ORCH_VLAN" --instance "$1" --name --json >/dev/null
  echo "commissioned $1"
  pause
  echo "$1" >>"$inventory"
}

delete() {
  grep -vxF -- "$1" "$inventory" >"$inventory.new" || true
  mv "$inventory.new" "$inventory"
  echo "forgot $1"
  pause
  ipcd-client decommission --dc "$ORCH_DC" --vlan "$ORCH_VLAN" --instance "$1" >/dev/null
  echo "decommissioned $1"
}

pids=()
for job in "$@"; do
  "${job%%:*}" "${job#*:}" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
