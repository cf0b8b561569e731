#!/bin/bash
# Scenario 1: `kataplug inventory --json` against a real kernel's /sys matches the kernel's own view:
# IOMMU groups and members, drivers, SR-IOV VFs after sriov_numvfs=2 (with physfn/vfs links both ways), and the
# shared group of the pci-bridge and the two NICs behind it.
. "$(dirname "$0")/lib.sh"
require
out=$LAB_RESULTS

pf=$(nvme_pf)
[ -n "$pf" ] || { fail topology "no SR-IOV NVMe PF (1b36:0010 with sriov_totalvfs>0) in the guest"; finish; }
bridge=$(find_dev 0x1b36:0x0001 | head -1)
[ -n "$bridge" ] || { fail topology "no pci-bridge (1b36:0001) in the guest"; finish; }
behind=$(ls -d "$SYS/$bridge"/0000:* 2>/dev/null | xargs -n1 basename | sort | tr '\n' ' ' | sed 's/ $//')
echo "topology: nvme PF $pf (totalvfs $(cat $SYS/$pf/sriov_totalvfs)), bridge $bridge with [$behind], e1000e: $(find_dev 0x8086:0x10d3 | tr '\n' ' ')"

# Before SR-IOV: the PF has no VFs.
kataplug inventory --json > "$out/inventory-before.json" || fail inventory-before "exit $?"
check inventory-before-groups "$(groups_from_sysfs)" "$(groups_from_json "$out/inventory-before.json")"
check inventory-before-no-vfs "0" "$(jq --arg pf "$pf" '[.[].devices[] | select(.bdf == $pf) | .vfs[]] | length' "$out/inventory-before.json")"

# Enable 2 VFs without autoprobe (the nvme driver cannot use an unprovisioned VF; qmp.md §11.4).
t=$(uptime_s)
echo 0 > "$SYS/$pf/sriov_drivers_autoprobe"
echo 2 > "$SYS/$pf/sriov_numvfs" || fail sriov-enable "echo 2 > $SYS/$pf/sriov_numvfs failed"
timing sriov-enable "$(since "$t")"
vfs=$(for v in "$SYS/$pf"/virtfn*; do basename "$(readlink "$v")"; done | sort | tr '\n' ' ' | sed 's/ $//')
check sriov-vfs-created 2 "$(echo $vfs | wc -w)"

kataplug inventory --json > "$out/inventory.json" || fail inventory "exit $?"
check inventory-groups "$(groups_from_sysfs)" "$(groups_from_json "$out/inventory.json")"

# Drivers: every device's driver as the kernel has it (null when unbound).
want=$(drivers_all)
got=$(jq -r '.[].devices[] | "\(.bdf) \(.driver // "null")"' "$out/inventory.json" | sort)
check inventory-drivers "$want" "$got"

# VFs: PF lists exactly the virtfn links; each VF names the PF and sits in its own group, apart from the PF.
check inventory-pf-vfs "$vfs" "$(jq -r --arg pf "$pf" '.[].devices[] | select(.bdf == $pf) | .vfs | sort | join(" ")' "$out/inventory.json")"
for vf in $vfs; do
  check "inventory-vf-physfn-$vf" "$pf" "$(jq -r --arg vf "$vf" '.[].devices[] | select(.bdf == $vf) | .physfn' "$out/inventory.json")"
  check "inventory-vf-own-group-$vf" "$vf" "$(jq -r --arg vf "$vf" '.[] | select(any(.devices[]; .bdf == $vf)) | [.devices[].bdf] | join(" ")' "$out/inventory.json")"
done
[ "$(group_of "$pf")" != "$(group_of "${vfs%% *}")" ] && pass "vf-group-apart-from-pf" || fail "vf-group-apart-from-pf" "PF and VF share group $(group_of "$pf")"

# The bridge and the NICs behind it form one group (no ACS on a conventional PCI bus).
bgroup=$(group_of "$bridge")
check inventory-bridge-group "$(echo "$bridge $behind" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" \
  "$(jq -r --argjson g "$bgroup" '.[] | select(.group == $g) | [.devices[].bdf] | sort | join(" ")' "$out/inventory.json")"

# Vendor/device/class formats as sysfs-pci.md §8 shows them.
check inventory-e1000e-ids "0x8086 0x10d3" "$(jq -r --arg b "$(find_dev 0x8086:0x10d3 | head -1)" '.[].devices[] | select(.bdf == $b) | "\(.vendor) \(.device)"' "$out/inventory.json")"

echo "--- kataplug's view (group, assignable, members) ---"
jq -r '.[] | "group \(.group) assignable=\(.assignable) \([.devices[] | "\(.bdf)[\(.driver // "-")]"] | join(" ")) \(.reason // "")"' "$out/inventory.json"
finish
