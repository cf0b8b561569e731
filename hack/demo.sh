#!/usr/bin/env bash
# The main job on an embedded default, from a fresh Debian 12 machine (as root): set up, validate the sample
# configuration, then plan devices onto an emulated host — a valid plan, and the misconfigurations that Kata
# only discovers after unbinding a VF, refused before anything is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
. hack/lib/private-containerd.sh
bash hack/setup.sh
kataplug=out/bin/kataplug
work=$(mktemp -d /tmp/kataplug-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
expect_fail() { # expected-exit command...
  local want=$1; shift
  set +e; "$@"; local rc=$?; set -e
  [ "$rc" -eq "$want" ] || { echo "demo: expected exit $want, got $rc" >&2; exit 1; }
  echo "(exit $rc, as expected)"
}

step "kataplug config check config/configuration.toml — every effective value and where it came from"
"$kataplug" config check config/configuration.toml

step "a broken configuration is refused with every problem and its file:line:column"
cat >"$work/broken.toml" <<'TOML'
[hypervisor.qemu]
machine_type = "q35"
pcie_root_port = 20
cold_plug_vfio = "root-port"
hot_plug_vfio = "bridge-port"
default_vcpus = "two"
TOML
expect_fail 1 "$kataplug" config check "$work/broken.toml"

step "an emulated host (test-only sysfs emulator): SR-IOV NIC with 2 VFs, GPU + audio, a NIC and a disk the host uses"
dotnet build tests/Shim.SysfsEmulator.Tool -c Release -o "$work/tools" --nologo -v quiet -clp:ErrorsOnly
cat hack/demo-host.txt
dotnet "$work/tools/emulated-host.dll" hack/demo-host.txt "$work/host"

step "kataplug inventory --sysfs-root $work/host"
"$kataplug" inventory --sysfs-root "$work/host"
vf=$("$kataplug" inventory --sysfs-root "$work/host" --json | python3 -c 'import json,sys; print([d["bdf"] for g in json.load(sys.stdin) for d in g["devices"] if d["physfn"]][0])')

step "kataplug plan: a VF and the GPU (its whole IOMMU group) cold-plugged on root ports"
"$kataplug" plan --config config/configuration.toml --sysfs-root "$work/host" --device "$vf" --device 0000:65:00.0

step "the seed case (Kata #10162): cold_plug_vfio and hot_plug_vfio both \"no-port\""
printf '[hypervisor.qemu]\nmachine_type = "q35"\ncold_plug_vfio = "no-port"\nhot_plug_vfio = "no-port"\n[plugins]\nenabled = []\n' >"$work/no-port.toml"
expect_fail 2 "$kataplug" plan --config "$work/no-port.toml" --sysfs-root "$work/host" --device "$vf"

step "too few root ports, and a group holding the host's own NIC — all reported at once, nothing written"
printf '[hypervisor.qemu]\nmachine_type = "q35"\ncold_plug_vfio = "root-port"\npcie_root_port = 1\n[plugins]\nenabled = []\n' >"$work/few-ports.toml"
before=$(find "$work/host" -type f -exec sha256sum {} + | sort | sha256sum)
expect_fail 2 "$kataplug" plan --config "$work/few-ports.toml" --sysfs-root "$work/host" --device "$vf" --device 0000:65:00.0 --device 0000:05:00.0
after=$(find "$work/host" -type f -exec sha256sum {} + | sort | sha256sum)
[ "$before" = "$after" ] && echo "emulated host unchanged byte for byte" || { echo "demo: the host changed" >&2; exit 1; }

step "the shim under a private containerd 1.6: ctr run with a VF in the pod's network namespace (ovn-kubernetes' shape)"
ctd=$work/ctd; mkdir -p "$ctd/bin" "$ctd/rootfs" "$work/state"
ln -s "$PWD/out/bin/containerd-shim-kataplug-v2" "$ctd/bin/containerd-shim-kataplug-v2"
start_private_containerd "$ctd" "$ctd/containerd.log"
netns=kp-demo-$$
agent_pid=""
cleanup() {
  for id in demo-noport demo-valid demo-hello; do ctr --address "$ctd/c.sock" -n demo task rm -f "$id" >/dev/null 2>&1 || true; ctr --address "$ctd/c.sock" -n demo c rm "$id" >/dev/null 2>&1 || true; done
  [ -z "$agent_pid" ] || { kill "$agent_pid" 2>/dev/null || true; wait "$agent_pid" 2>/dev/null || true; }
  kill "$ctd_pid" 2>/dev/null || true; wait "$ctd_pid" 2>/dev/null || true
  ip netns delete "$netns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do [ -S "$ctd/c.sock" ] && break; sleep 0.1; done
# The guest agent: no Kata guest image here, so kataplug-test-agent (test-only) serves the Kata agent protocol on a
# hybrid-vsock unix socket and runs each process in the rootfs the shim shares as kataShared
# (<state_dir>/sandboxes/<id>/shared/<container>/rootfs).
dotnet build tests/Shim.TestAgent -c Release -o "$work/agent" --nologo -v quiet -clp:ErrorsOnly
"$work/agent/kataplug-test-agent" --socket "$work/agent.sock" --shared-root "$work/state/sandboxes/{sandbox}/shared" \
  --serve-many --record "$work/agent-record.json" >"$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 300); do grep -q '^ready ' "$work/agent.log" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready ' "$work/agent.log" || { cat "$work/agent.log" >&2; echo "demo: the test agent did not start" >&2; exit 1; }
ip netns add "$netns"
ip link add "kpd$$" type veth peer name net1 netns "$netns"
ip -n "$netns" link set net1 address 02:00:00:00:00:11 up
status="[{\"name\":\"sriov\",\"interface\":\"net1\",\"device-info\":{\"type\":\"pci\",\"pci\":{\"pci-address\":\"$vf\"}}}]"
shim_config() { # cold hot ports
  printf '[hypervisor.qemu]\npath = "/usr/bin/qemu-system-x86_64"\nmachine_type = "q35"\ndefault_memory = 128\ncold_plug_vfio = "%s"\nhot_plug_vfio = "%s"\npcie_root_port = %s\n[agent.kata]\naddress = "hvsock://%s:1024"\n[plugins]\nenabled = ["physical-vf"]\ndirectory = "%s"\n[host]\nsysfs_root = "%s"\nstate_dir = "%s"\n' \
    "$1" "$2" "$3" "$work/agent.sock" "$PWD/out/plugins" "$work/host" "$work/state"
}
run_pod() { # id config
  ctr --address "$ctd/c.sock" -n demo run --runtime io.containerd.kataplug.v2 --runtime-config-path "$2" \
    --with-ns "network:/var/run/netns/$netns" --annotation "k8s.v1.cni.cncf.io/network-status=$status" \
    --rootfs "$ctd/rootfs" "$1" /bin/true
}
shim_config no-port no-port 0 >"$work/shim-noport.toml"
echo "-- cold_plug_vfio = hot_plug_vfio = \"no-port\": refused at Create, before any write and before QEMU"
expect_fail 1 run_pod demo-noport "$work/shim-noport.toml"
echo "-- a valid cold-plug plan: the VF is bound, QEMU starts with the topology and refuses the emulated device; all rolled back"
shim_config root-port no-port 2 >"$work/shim-valid.toml"
expect_fail 1 run_pod demo-valid "$work/shim-valid.toml"
"$kataplug" inventory --sysfs-root "$work/host" | grep -E "GROUP|$vf"
echo "(the VF is back on its original driver; the journal is empty: $(ls "$work/state/hostpci/bindings" 2>/dev/null | wc -l) entries)"

step "a container end to end: ctr run --rm ... echo hello, through the shim, QEMU and the Kata agent protocol"
# A tiny rootfs: the host's sh and echo with the libraries ldd names.
for bin in /bin/sh /bin/echo; do
  for f in "$bin" $(ldd "$bin" | grep -o '/[^ ]*'); do mkdir -p "$work/rootfs$(dirname "$f")"; cp -L "$f" "$work/rootfs$f"; done
done
shim_config root-port no-port 2 >"$work/shim-e2e.toml"
out=$(ctr --address "$ctd/c.sock" -n demo run --rm --runtime io.containerd.kataplug.v2 --runtime-config-path "$work/shim-e2e.toml" \
  --rootfs "$work/rootfs" demo-hello echo hello)
echo "$out"
[ "$out" = hello ] || { echo "demo: expected 'hello' from the container" >&2; tail -20 "$ctd/containerd.log" >&2; exit 1; }
python3 - "$work/agent-record.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c = [x for x in r["createContainer"] if x["containerId"] == "demo-hello"][0]
print(f'(the agent created demo-hello with root {c["OCI"]["Root"]["Path"]}; sandboxes destroyed so far: {r["destroySandbox"]})')
PY

step "done"
