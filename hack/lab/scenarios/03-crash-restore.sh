#!/bin/bash
# Scenario 3: `kataplug bind` of a two-member group (the pci-bridge group: two e1000e behind a conventional bridge
# share one IOMMU group) is SIGKILLed at a chosen write step: strace's fault injection kills it on entry to its
# second write to drivers_probe, so member 1 reached vfio-pci and member 2 was overridden and unbound but never
# probed, and the journal the product wrote says so. `kataplug restore` returns both.
. "$(dirname "$0")/lib.sh"
require
state=$LAB_STATE

bridge=$(find_dev 0x1b36:0x0001 | head -1)
set -- $(ls -d "$SYS/$bridge"/0000:* | xargs -n1 basename | sort)
m1=$1; m2=$2
group=$(group_of "$m1")
echo "bridge $bridge group $group: $m1 ($(driver_of "$m1")), $m2 ($(driver_of "$m2"))"
check members-share-group "$group" "$(group_of "$m2")"

command -v strace >/dev/null || { fail prerequisites "strace is not on the host (hack/setup.sh installs it)"; finish; }
strace -f -qq -o /dev/null -P /sys/bus/pci/drivers_probe -e trace=write,pwrite64 -e inject=write,pwrite64:signal=KILL:when=2 \
  dotnet "$KATAPLUG_DLL" bind --device "$m1" --sandbox lab-sandbox-3 --state-dir "$state"; rc=$?
check killed-mid-bind 137 "$rc"
check crashed-journal Binding "$(jq -r '.state // .State' "$state/bindings/group-$group.json" 2>/dev/null)"
check crashed-m1 vfio-pci "$(driver_of "$m1")"
check crashed-m2 null "$(driver_of "$m2")"

echo "--- kataplug restore --dry-run ---"
kataplug restore --state-dir "$state" --dry-run --timeout-seconds 60; rc=$?
check dry-run-exit 0 "$rc"
check dry-run-wrote-nothing "vfio-pci null" "$(driver_of "$m1") $(driver_of "$m2")"
echo "--- kataplug restore ---"
kataplug restore --state-dir "$state" --timeout-seconds 60; rc=$?
check restore-exit 0 "$rc"
check restore-m1 e1000e "$(driver_of "$m1")"
check restore-m2 e1000e "$(driver_of "$m2")"
check restore-overrides "(null) (null)" "$(cat "$SYS/$m1/driver_override") $(cat "$SYS/$m2/driver_override")"
check restore-journal-empty "" "$(ls "$state/bindings" 2>/dev/null)"
finish
