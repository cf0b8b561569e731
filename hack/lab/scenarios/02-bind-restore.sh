#!/bin/bash
# Scenario 2: `kataplug bind` moves a VF group and an e1000e group to vfio-pci on a real kernel (real /dev/vfio
# nodes), journaled as the shim does it, and `kataplug restore` (the product's Reconciler) returns both to their original drivers.
. "$(dirname "$0")/lib.sh"
require
state=$LAB_STATE

pf=$(nvme_pf); vf=$(enable_vfs "$pf" | head -1)
nic=$(lone_e1000e | head -1)
[ -n "$vf" ] && [ -n "$nic" ] || { fail topology "need a VF (got '$vf') and a lone e1000e (got '$nic')"; finish; }
netdev=$(ls "$SYS/$nic/net")
vgroup=$(group_of "$vf"); ngroup=$(group_of "$nic")
echo "VF $vf (group $vgroup, driver $(driver_of "$vf")), e1000e $nic (group $ngroup, driver $(driver_of "$nic"), netdev $netdev)"

t=$(uptime_s)
kataplug bind --device "$vf" --sandbox lab-sandbox-2 --state-dir "$state"; check bind-vf-exit 0 "$?"
kataplug bind --device "$nic" --sandbox lab-sandbox-2 --state-dir "$state"; check bind-nic-exit 0 "$?"
timing kataplug-bind-2-groups "$(since "$t")"
check bind-vf-driver vfio-pci "$(driver_of "$vf")"
check bind-nic-driver vfio-pci "$(driver_of "$nic")"
[ -c "/dev/vfio/$vgroup" ] && pass "dev-vfio-$vgroup char device" || fail "dev-vfio-$vgroup" "missing: $(ls /dev/vfio)"
[ -c "/dev/vfio/$ngroup" ] && pass "dev-vfio-$ngroup char device" || fail "dev-vfio-$ngroup" "missing: $(ls /dev/vfio)"
[ -c /dev/vfio/vfio ] && pass "dev-vfio-container" || fail dev-vfio-container "missing /dev/vfio/vfio"
[ ! -e "/sys/class/net/$netdev" ] && pass "netdev-gone $netdev" || fail netdev-gone "$netdev still present while on vfio-pci"

kataplug inventory --json > "$LAB_RESULTS/inv-bound.json" || fail inventory "exit $?"
check inventory-sees-vfio "$vf vfio-pci $nic vfio-pci" \
  "$(jq -r --arg a "$vf" --arg b "$nic" '[.[].devices[] | select(.bdf == $a or .bdf == $b) | "\(.bdf) \(.driver)"] | sort | join(" ")' "$LAB_RESULTS/inv-bound.json")"

check bind-journaled "$(printf 'group-%s.json\n' "$vgroup" "$ngroup" | sort | tr '\n' ' ' | sed 's/ $//')" "$(ls "$state/bindings" | sort | tr '\n' ' ' | sed 's/ $//')"
echo "--- kataplug restore ---"
kataplug restore --state-dir "$state" --timeout-seconds 60; rc=$?
check restore-exit 0 "$rc"
check restore-vf-driver null "$(driver_of "$vf")"
check restore-nic-driver e1000e "$(driver_of "$nic")"
check restore-vf-override "(null)" "$(cat "$SYS/$vf/driver_override")"
check restore-nic-override "(null)" "$(cat "$SYS/$nic/driver_override")"
check restore-netdev-back "$netdev" "$(ls "$SYS/$nic/net" 2>/dev/null)"
check restore-journal-empty "" "$(ls "$state/bindings" 2>/dev/null)"
[ ! -e "/dev/vfio/$ngroup" ] && pass "dev-vfio-$ngroup released" || fail "dev-vfio-$ngroup-released" "still present"
finish
