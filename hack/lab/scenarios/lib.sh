# Shared helpers for lab scenarios (sourced; runs inside the guest, chrooted into the host's root).
# Protocol with run.sh: one line per check, `PASS <name> <detail>` or `FAIL <name> <detail>`; `TIME <name> <s>`.
set -u
LAB_FAILED=0
KATAPLUG_DLL=${KATAPLUG_DLL:-/work/main/out/bin/kataplug.dll}
SYS=/sys/bus/pci/devices

uptime_s() { cut -d' ' -f1 /proc/uptime; }
since() { echo "$(uptime_s) - $1" | bc; }
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; LAB_FAILED=1; }
timing() { echo "TIME $1 $2"; }
# check NAME EXPECTED ACTUAL: PASS when equal, FAIL with both values otherwise.
check() {
  if [ "$2" = "$3" ]; then pass "$1 $3"; else fail "$1 expected [$2] got [$3]"; fi
}
finish() { exit "$LAB_FAILED"; }

driver_of() { local l; l=$(readlink "$SYS/$1/driver" 2>/dev/null) && basename "$l" || echo null; }
group_of() { basename "$(readlink "$SYS/$1/iommu_group")"; }
# BDFs whose vendor:device match, sorted.
find_dev() { local d; for d in "$SYS"/*; do [ "$(cat "$d/vendor"):$(cat "$d/device")" = "$1" ] && basename "$d"; done | sort; }
# The SR-IOV capable NVMe PF (QEMU's nvme: 1b36:0010 with sriov_totalvfs > 0).
nvme_pf() { local d; for d in $(find_dev 0x1b36:0x0010); do [ "$(cat "$SYS/$d/sriov_totalvfs" 2>/dev/null || echo 0)" -gt 0 ] && { echo "$d"; return; }; done; }
# Ground truth from the kernel: "group: bdf bdf ..." lines, sorted.
groups_from_sysfs() { local g; for g in /sys/kernel/iommu_groups/*; do echo "$(basename "$g"): $(ls "$g/devices" | sort | tr '\n' ' ' | sed 's/ $//')"; done | sort -n; }
# The same from `kataplug inventory --json` (file).
groups_from_json() { jq -r '.[] | "\(.group): \([.devices[].bdf] | sort | join(" "))"' "$1" | sort -n; }

# Runs the product CLI with the host's dotnet; prints its stdout, records its time.
kataplug() {
  local t rc
  t=$(uptime_s)
  dotnet "$KATAPLUG_DLL" "$@"
  rc=$?
  timing "kataplug-$1" "$(since "$t")" >&2
  return $rc
}

require() {
  command -v jq >/dev/null || { fail prerequisites "jq is not on the host (apt-get install jq)"; finish; }
  [ -f "$KATAPLUG_DLL" ] || { fail prerequisites "$KATAPLUG_DLL is missing: run hack/setup.sh (it publishes out/)"; finish; }
  [ -n "${LAB_GUEST:-}" ] || { fail prerequisites "scenarios run inside the lab guest: hack/lab/run.sh $0"; finish; }
}
