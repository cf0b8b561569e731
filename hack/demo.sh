#!/usr/bin/env bash
# The main job on an embedded default, from a fresh Debian 12 machine: set up, then validate the sample
# configuration and print the effective configuration with the origin of every value.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/setup.sh
kataplug=out/bin/kataplug
step() { printf '\n==> %s\n' "$*"; }

step "kataplug config check config/configuration.toml"
"$kataplug" config check config/configuration.toml

step "a broken configuration is refused with every problem and where it is"
bad=$(mktemp --suffix=.toml)
trap 'rm -f "$bad"' EXIT
cat >"$bad" <<'TOML'
[hypervisor.qemu]
machine_type = "q35"
pcie_root_port = 20
cold_plug_vfio = "root-port"
hot_plug_vfio = "bridge-port"
default_vcpus = "two"
TOML
if "$kataplug" config check "$bad"; then echo "demo: expected the broken file to be refused" >&2; exit 1; fi
echo "(exit 1, as expected)"
