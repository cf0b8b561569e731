#!/bin/bash
# Scenario 3: a crash in the middle of binding a two-member group (the pci-bridge group: two e1000e behind a
# conventional bridge share one IOMMU group). Member 1 reached vfio-pci, member 2 was unbound from e1000e with the
# override set but never probed; the journal says so (state Binding). `kataplug restore` returns both.
. "$(dirname "$0")/lib.sh"
require
state=$LAB_STATE

bridge=$(find_dev 0x1b36:0x0001 | head -1)
set -- $(ls -d "$SYS/$bridge"/0000:* | xargs -n1 basename | sort)
m1=$1; m2=$2
group=$(group_of "$m1")
echo "bridge $bridge group $group: $m1 ($(driver_of "$m1")), $m2 ($(driver_of "$m2"))"
check members-share-group "$group" "$(group_of "$m2")"

sysfs_bind_vfio "$m1"
echo vfio-pci > "$SYS/$m2/driver_override"
echo "$m2" > "$SYS/$m2/driver/unbind"
journal_write "$state" lab-sandbox-3 "$group" Binding \
  "$(member_json "$m1" e1000e ProbeVfio Done)" "$(member_json "$m2" e1000e ProbeVfio Intent)"
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
