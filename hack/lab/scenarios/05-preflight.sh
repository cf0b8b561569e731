#!/bin/bash
# Scenario 5: `kataplug plan` (discovery + plan + every preflight check) on a real kernel refuses what cannot be
# passed through — an SR-IOV PF with VFs enabled, a host NIC that is up — with exit 2 and a message per problem,
# accepts a VF, and in every case leaves sysfs exactly as it was (no driver, override, VF or /dev/vfio change).
. "$(dirname "$0")/lib.sh"
require
out=$LAB_RESULTS

snapshot() { # everything a bind would change: drivers, overrides, VF counts, /dev/vfio, links and their state
  drivers_all
  grep -H . "$SYS"/*/driver_override "$SYS"/*/sriov_numvfs 2>/dev/null
  ls /dev/vfio
  ip -o link show | awk '{ print $2, ($3 ~ /[<,]UP[,>]/) ? "admin-up" : "admin-down" }'   # carrier comes and goes on its own
}

pf=$(nvme_pf); vfs=$(enable_vfs "$pf"); vf=${vfs%%$'\n'*}
nic=$(lone_e1000e | head -1); netdev=$(ls "$SYS/$nic/net")
ip link set "$netdev" up || fail link-up "ip link set $netdev up failed"
echo "PF $pf (VFs: $(echo $vfs)), up NIC $nic ($netdev)"
before=$(snapshot); echo "$before" > "$out/snapshot-before.txt"

kataplug plan --device "$pf" --device "$nic" > "$out/plan-refused.txt" 2>&1; rc=$?
cat "$out/plan-refused.txt"
check plan-refuses-exit 2 "$rc"
grep -q "$pf" "$out/plan-refused.txt" && grep -qiE 'sriov|VF|EBUSY' "$out/plan-refused.txt" && pass plan-names-pf-problem || fail plan-names-pf-problem "no SR-IOV problem naming $pf"
grep -qE "$nic|$netdev" "$out/plan-refused.txt" && grep -qiE '\bup\b|allow_?host' "$out/plan-refused.txt" && pass plan-names-up-nic-problem || fail plan-names-up-nic-problem "no problem naming $nic/$netdev being up"
after=$(snapshot); echo "$after" > "$out/snapshot-after.txt"; check sysfs-unchanged-after-refusal "$before" "$after"

kataplug plan --device "$vf" > "$out/plan-vf.txt" 2>&1; rc=$?
cat "$out/plan-vf.txt"
check plan-accepts-vf-exit 0 "$rc"
grep -q "vfio-pci,host=$vf" "$out/plan-vf.txt" && pass plan-vf-qemu-args || fail plan-vf-qemu-args "no -device vfio-pci,host=$vf in the plan"
check sysfs-unchanged-after-plan "$before" "$(snapshot)"
finish
