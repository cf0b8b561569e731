# Shared helpers for lab scenarios (sourced; runs inside the guest, chrooted into the host's root).
# Protocol with run.sh: one line per check, `PASS <name> <detail>` or `FAIL <name> <detail>`; `TIME <name> <s>`.
set -u
LAB_FAILED=0
LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)   # the checkout this scenario came from
KATAPLUG_DLL=${KATAPLUG_DLL:-$LAB_REPO/out/bin/kataplug.dll}
# Writable scratch in the guest: the host root (and its /tmp) is read-only; /run is a fresh tmpfs.
LAB_RESULTS=${LAB_RESULTS:-/run/lab-results}
LAB_STATE=${LAB_STATE:-/run/kataplug-lab-state}
SYS=/sys/bus/pci/devices

uptime_s() { cut -d' ' -f1 /proc/uptime; }
since() { echo "$(uptime_s) - $1" | bc; }
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; LAB_FAILED=1; }
timing() { echo "TIME $1 $2"; }
# check NAME EXPECTED ACTUAL: PASS when equal, FAIL with both values otherwise (a diff for multi-line values).
check() {
  if [ "$2" = "$3" ]; then
    case $3 in *$'\n'*) pass "$1 ($(echo "$3" | wc -l) lines equal)";; *) pass "$1 $3";; esac
  else
    case $2$3 in
      *$'\n'*) fail "$1 differs (- expected, + got):"; diff <(echo "$2") <(echo "$3") | grep '^[<>]' | sed 's/^</  -/; s/^>/  +/';;
      *) fail "$1 expected [$2] got [$3]";;
    esac
  fi
}
finish() { exit "$LAB_FAILED"; }

# "bdf driver" for every PCI function ("null" when unbound), sorted; two execs instead of a loop (forks are slow under TCG).
drivers_all() {
  { find "$SYS"/ -mindepth 1 -maxdepth 1 -printf '%f null\n'; find "$SYS"/*/ -maxdepth 1 -name driver -printf '%h %l\n'; } |
    awk '{ n = split($1, a, "/"); b = a[n] == "" ? a[n-1] : a[n]; m = split($2, d, "/"); drv[b] = d[m] } END { for (b in drv) print b, drv[b] }' | sort
}
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

# Plain sysfs bind to vfio-pci (sysfs-pci.md §2): driver_override, unbind, drivers_probe.
# This is the sequence the product's DriverSwitcher performs; the lab does it by hand until a `kataplug bind`
# command exists (docs/lab.md, "Where the product slots in").
sysfs_bind_vfio() {
  echo vfio-pci > "$SYS/$1/driver_override"
  [ -e "$SYS/$1/driver" ] && echo "$1" > "$SYS/$1/driver/unbind"
  echo "$1" > /sys/bus/pci/drivers_probe
}
# Writes one journal entry (BindingRecord JSON, src/Shim.HostPci/BindingRecord.cs) the way the shim would.
# journal_write STATE_DIR SANDBOX GROUP STATE MEMBER_JSON...
journal_write() {
  local dir=$1 sandbox=$2 group=$3 state=$4; shift 4
  mkdir -p "$dir/bindings"
  printf '{"sandboxId":"%s","group":%s,"state":"%s","members":[%s],"updatedAt":"%s","version":1}\n' \
    "$sandbox" "$group" "$state" "$(IFS=,; echo "$*")" "$(date -u +%Y-%m-%dT%H:%M:%S+00:00)" > "$dir/bindings/group-$group.json"
}
# member_json BDF ORIGINAL_DRIVER STEP PHASE
member_json() {
  local drv=null; [ "$2" != null ] && drv="\"$2\""
  printf '{"bdf":"%s","originalDriver":%s,"originalOverride":null,"step":"%s","phase":"%s","error":null}' "$1" "$drv" "$3" "$4"
}
# e1000e functions that are alone in their IOMMU group (on a root port), sorted.
lone_e1000e() { local b; for b in $(find_dev 0x8086:0x10d3); do [ "$(ls "$SYS/$b/iommu_group/devices" | wc -l)" = 1 ] && echo "$b"; done; }
enable_vfs() { # PF -> prints the VF BDFs
  echo 0 > "$SYS/$1/sriov_drivers_autoprobe"
  echo 2 > "$SYS/$1/sriov_numvfs"
  for v in "$SYS/$1"/virtfn*; do basename "$(readlink "$v")"; done | sort
}
