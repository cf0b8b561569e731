#!/usr/bin/env bash
# The main job on an embedded default, from a fresh Debian 12 machine (as root): set up, validate the sample
# configuration, then plan devices onto an emulated host — a valid plan, and the misconfigurations that Kata
# only discovers after unbinding a VF, refused before anything is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
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

step "done"
