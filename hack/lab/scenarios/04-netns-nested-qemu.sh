#!/bin/bash
# Scenario 4: an e1000e whose netdev lives in a pod network namespace goes to vfio-pci (the netdev vanishes from
# the namespace), is cold-plugged into a nested QEMU (-S, no guest code runs) on a PCIe root port through the
# guest's real VFIO (type1 container over the emulated Intel IOMMU), then `kataplug restore` returns it to e1000e;
# its netdev comes back in the initial namespace, not in the pod's (the shim must not expect it there).
. "$(dirname "$0")/lib.sh"
require
state=$LAB_STATE
command -v qemu-system-x86_64 >/dev/null || { fail prerequisites "qemu-system-x86_64 is not on the host"; finish; }
command -v ip >/dev/null || { fail prerequisites "ip (iproute2) is not on the host"; finish; }

nic=$(lone_e1000e | tail -1)
netdev=$(ls "$SYS/$nic/net")
group=$(group_of "$nic")
echo "e1000e $nic group $group netdev $netdev"

ip netns add lab-pod || fail netns-add "ip netns add failed"
ip link set "$netdev" netns lab-pod || fail netns-move "ip link set $netdev netns lab-pod failed"
check netdev-in-pod-netns "$netdev" "$(ip netns exec lab-pod ls /sys/class/net | grep -x "$netdev")"
check netdev-not-in-root-sysfs "" "$(ls "$SYS/$nic/net" 2>/dev/null)"

# Discovery as the shim does it: the physical-vf plugin enters the pod netns, finds the netdev's PCI parent over
# rtnetlink (IFLA_PARENT_DEV_NAME) and the planner puts it on a root port — no side effect yet.
cat > "$LAB_RESULTS/plan.toml" <<TOML
[hypervisor.qemu]
machine_type = "q35"
cold_plug_vfio = "root-port"
pcie_root_port = 1
[plugins]
enabled = ["physical-vf"]
directory = "$LAB_REPO/out/plugins"
[plugins.settings.physical-vf]
accept_physical_functions = true
[[plugins.settings.physical-vf.include]]
driver = "e1000e"
TOML
kataplug plan --config "$LAB_RESULTS/plan.toml" --netns /var/run/netns/lab-pod --json > "$LAB_RESULTS/plan.json"; check plan-exit 0 "$?"
check plan-discovered-by-plugin "physical-vf $netdev" "$(jq -r '.topology.plan.coldPlug[0].device | "\(.plugin) \(.interface)"' "$LAB_RESULTS/plan.json")"
check plan-device-line "vfio-pci,host=$nic" "$(jq -r '.topology.plan.coldPlug[0].vfio.commandLineArgument' "$LAB_RESULTS/plan.json" | cut -d, -f1-2)"

t=$(uptime_s)
kataplug bind --device "$nic" --sandbox lab-sandbox-4 --state-dir "$state"; check bind-exit 0 "$?"
timing bind "$(since "$t")"
check bind-driver vfio-pci "$(driver_of "$nic")"
check netdev-gone-from-pod "" "$(ip netns exec lab-pod ls /sys/class/net | grep -x "$netdev")"

# Nested QEMU: cold-plug on a root port, QMP over stdio. Paused (-S) means no firmware ran, so query-pci shows
# nothing behind bridges (qmp.md §6.2): ask QOM for the device's host BDF and parent bus instead.
out=$LAB_RESULTS
t=$(uptime_s)
printf '%s\n' '{"execute":"qmp_capabilities"}' \
  '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/hostdev0","property":"host"},"id":"host"}' \
  '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/hostdev0","property":"parent_bus"},"id":"bus"}' \
  '{"execute":"quit"}' |
  timeout 180 qemu-system-x86_64 -S -machine q35 -accel tcg -nodefaults -display none -m 64 -no-user-config \
    -device pcie-root-port,id=rp0,bus=pcie.0,chassis=1,slot=1 \
    -device vfio-pci,host="$nic",bus=rp0,id=hostdev0 \
    -qmp stdio -monitor none -serial none > $out/nested-qmp.out 2> $out/nested-qemu.err
rc=$?
timing nested-qemu-start-query-quit "$(since "$t")"
check nested-qemu-exit 0 "$rc"
[ "$rc" = 0 ] || { echo "--- nested QEMU stderr ---"; cat $out/nested-qemu.err; }
check nested-qemu-device-host "$nic" "$(jq -r 'select(.id? == "host") | .return' "$out/nested-qmp.out" 2>/dev/null)"
check nested-qemu-device-on-root-port "/machine/peripheral/rp0/rp0" "$(jq -r 'select(.id? == "bus") | .return' "$out/nested-qmp.out" 2>/dev/null)"
grep -q '"SHUTDOWN"' $out/nested-qmp.out && pass "nested-qemu-quit-event" || fail nested-qemu-quit-event "no SHUTDOWN event in $(cat $out/nested-qmp.out | head -c 400)"

# Hot-plug, hot-unplug, hot-plug again through QMP, on the real VFIO group. Native PCIe hotplug with no guest
# completes an unplug of a hot-added device at once (qmp.md §7.3), so DEVICE_DELETED is awaited, not assumed.
t=$(uptime_s)
coproc HOTQ { timeout 120 qemu-system-x86_64 -S -machine q35 -accel tcg -nodefaults -display none -m 64 -no-user-config \
  -global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off \
  -device pcie-root-port,id=rp0,bus=pcie.0,chassis=1,slot=1 \
  -qmp stdio -monitor none -serial none 2> "$out/hot-qemu.err"; }
# Coproc descriptors are closed inside $(...); plain duplicates are inherited.
exec {qmp_in}<&"${HOTQ[0]}" {qmp_out}>&"${HOTQ[1]}"
qmp_send() { printf '%s\n' "$1" >&"$qmp_out"; }
qmp_wait() { # PATTERN: read replies and events until one line contains it (60 s at most)
  local line
  while IFS= read -r -t 60 line <&"$qmp_in"; do
    printf '%s\n' "$line" >> "$out/hot-qmp.out"
    case $line in *"$1"*) printf '%s\n' "$line"; return 0;; esac
  done
  return 1
}
qmp_wait '"QMP"' >/dev/null; qmp_send '{"execute":"qmp_capabilities","id":"caps"}'; qmp_wait '"caps"' >/dev/null
qmp_send "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"vfio-pci\",\"host\":\"$nic\",\"bus\":\"rp0\",\"addr\":\"0x0\",\"id\":\"hot1\"},\"id\":\"add1\"}"
check hotplug-add "ok" "$(qmp_wait '"add1"' | jq -r 'if .return then "ok" else .error.desc end')"
qmp_send '{"execute":"device_del","arguments":{"id":"hot1"},"id":"del1"}'; qmp_wait '"del1"' >/dev/null
check hotplug-unplug-event hot1 "$(qmp_wait DEVICE_DELETED | jq -r '.data.device')"
qmp_send "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"vfio-pci\",\"host\":\"$nic\",\"bus\":\"rp0\",\"addr\":\"0x0\",\"id\":\"hot2\"},\"id\":\"add2\"}"
check hotplug-readd "ok" "$(qmp_wait '"add2"' | jq -r 'if .return then "ok" else .error.desc end')"
qmp_send '{"execute":"quit","id":"quit"}'; qmp_wait SHUTDOWN >/dev/null
hot_pid=$HOTQ_PID
exec {qmp_in}<&- {qmp_out}>&-
wait "$hot_pid" 2>/dev/null; rc=$?
timing nested-qemu-hotplug-cycle "$(since "$t")"
check hotplug-qemu-exit 0 "$rc"
[ "$rc" = 0 ] || { echo "--- hot-plug QEMU stderr ---"; cat "$out/hot-qemu.err"; }

kataplug restore --state-dir "$state" --timeout-seconds 60; rc=$?
check restore-exit 0 "$rc"
check restore-driver e1000e "$(driver_of "$nic")"
check netdev-back-in-root-netns "$netdev" "$(ls "$SYS/$nic/net" 2>/dev/null)"
check netdev-not-back-in-pod "" "$(ip netns exec lab-pod ls /sys/class/net | grep -x "$netdev")"
ip netns del lab-pod
finish
