#!/usr/bin/env bash
# Boots the real-kernel lab guest (QEMU TCG, q35, emulated Intel IOMMU, NVMe with SR-IOV, e1000e NICs, a
# pci-bridge with two NICs behind it) and runs one scenario script inside it, chrooted into the host's root
# shared read-only over 9p. Prints the scenario's output (PASS/FAIL lines) and a summary; exits non-zero when
# the scenario failed, printed a FAIL line, printed no PASS line, or the guest did not finish in time.
# Usage: hack/lab/run.sh <scenario-script> [--timeout SECONDS]
# Env: KATAPLUG_LAB_TIMEOUT (default 300 s for the whole VM), KATAPLUG_LAB_KEEP=1 keeps the results dir,
#      KATAPLUG_LAB_CACHE (see build.sh), KATAPLUG_LAB_QEMU (default qemu-system-x86_64).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "lab-run: ERROR: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: hack/lab/run.sh <scenario-script> [--timeout SECONDS]"
scenario=$(realpath "$1"); shift
deadline=${KATAPLUG_LAB_TIMEOUT:-300}
while [ $# -gt 0 ]; do
  case $1 in
    --timeout) deadline=$2; shift 2;;
    *) die "unknown argument $1";;
  esac
done
[ -f "$scenario" ] || die "scenario $scenario does not exist"
# The guest mounts its own /run, /proc, /sys and /dev over the host root's, so scenarios there would be invisible.
case $scenario in /run/*|/proc/*|/sys/*|/dev/*) die "scenario $scenario must live outside /run, /proc, /sys and /dev (the guest mounts its own there)";; esac
qemu=${KATAPLUG_LAB_QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || die "$qemu not found: install qemu-system-x86 (hack/setup.sh does)"
[ "$(id -u)" -eq 0 ] || die "the lab needs root (9p export of / with security_model=none, apt-get download)"

# The guest runs the published CLI, not the sources: say so when out/ is older than them.
repo=$(cd "$here/../.." && pwd)
if [ -f "$repo/out/bin/kataplug.dll" ] && [ -n "$(find "$repo/src" -name '*.cs' -newer "$repo/out/bin/kataplug.dll" -print -quit 2>/dev/null)" ]; then
  echo "lab-run: warning: src/ has changes newer than out/bin/kataplug.dll; republish (hack/setup.sh) to test them" >&2
fi

t0=$(date +%s.%N)
guest=$("$here/build.sh" | tail -1) || die "building the guest files failed (see lab-build lines above)"
[ -s "$guest/vmlinux" ] && [ -s "$guest/initrd.gz" ] || die "build.sh printed '$guest', which lacks vmlinux/initrd.gz"
t_built=$(date +%s.%N)

results=$(mktemp -d /tmp/kataplug-lab.XXXXXX)
chmod 755 "$results"
cleanup() { [ "${KATAPLUG_LAB_KEEP:-0}" = 1 ] || [ "${keep_results:-0}" = 1 ] || rm -rf "$results"; }
trap cleanup EXIT

# The guest kills the scenario at (deadline - 30 s) so that it can still report and power off in time.
guest_budget=$((deadline > 60 ? deadline - 30 : deadline * 2 / 3))

echo "lab-run: scenario $(basename "$scenario"), guest files $(basename "$guest"), deadline ${deadline}s"
set +e
timeout --kill-after=10 "$deadline" "$qemu" \
  -machine q35 -accel tcg -cpu "${KATAPLUG_LAB_CPU:-max}" -m 2048 -smp "${KATAPLUG_LAB_SMP:-2}" \
  -nodefaults -display none -no-reboot -no-user-config \
  -device intel-iommu,intremap=on,caching-mode=on \
  -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1,addr=0x4 \
  -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,slot=2,addr=0x5 \
  -device pcie-root-port,id=rp3,bus=pcie.0,chassis=3,slot=3,addr=0x6 \
  -device nvme-subsys,id=subsys0,nqn=kataplug-lab \
  -device nvme,id=nvme0,serial=lab0001,subsys=subsys0,bus=rp1,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2 \
  -netdev user,id=n0,restrict=on -netdev user,id=n1,restrict=on -netdev user,id=n2,restrict=on -netdev user,id=n3,restrict=on \
  -device e1000e,id=nic0,netdev=n0,bus=rp2,mac=52:54:00:1a:b0:01 \
  -device e1000e,id=nic1,netdev=n1,bus=rp3,mac=52:54:00:1a:b0:02 \
  -device pci-bridge,id=br0,bus=pcie.0,chassis_nr=8,addr=0x8 \
  -device e1000e,id=brnic0,netdev=n2,bus=br0,addr=0x1,mac=52:54:00:1a:b0:03 \
  -device e1000e,id=brnic1,netdev=n3,bus=br0,addr=0x2,mac=52:54:00:1a:b0:04 \
  -fsdev local,id=fshost,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=fshost,mount_tag=hostroot,bus=pcie.0,addr=0x10 \
  -fsdev local,id=fsres,path="$results",security_model=none \
  -device virtio-9p-pci,fsdev=fsres,mount_tag=results,bus=pcie.0,addr=0x11 \
  -kernel "$guest/vmlinux" -initrd "$guest/initrd.gz" \
  -append "console=ttyS0 intel_iommu=on panic=1 quiet mitigations=off ${KATAPLUG_LAB_APPEND:-} lab.scenario=$scenario lab.timeout=$guest_budget" \
  -chardev file,id=ser0,path="$results/console.log" -serial chardev:ser0 \
  </dev/null >"$results/qemu.out" 2>&1
qrc=$?
set -e
t_end=$(date +%s.%N)

[ -f "$results/scenario.log" ] && cat "$results/scenario.log"
rc=$(cat "$results/exit-code" 2>/dev/null || echo none)
passes=$(grep -c '^PASS ' "$results/scenario.log" 2>/dev/null || true)
fails=$(grep -c '^FAIL ' "$results/scenario.log" 2>/dev/null || true)
boot=$(grep -m1 -o 'LAB: scenario .* start uptime=[0-9.]*' "$results/console.log" 2>/dev/null | sed 's/.*uptime=//' || true)
secs() { echo "$2 - $1" | bc; }
echo "lab-run: TIMING build=$(secs "$t0" "$t_built")s vm=$(secs "$t_built" "$t_end")s guest-boot-to-scenario=${boot:-?}s"

verdict=PASS
[ "$qrc" -eq 0 ] || { verdict=FAIL; echo "lab-run: QEMU exited $qrc$([ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ] && echo " (deadline ${deadline}s exceeded)")"; }
[ "$rc" = 0 ] || { verdict=FAIL; echo "lab-run: scenario exit code: $rc"; }
[ "${fails:-0}" -eq 0 ] || verdict=FAIL
[ "${passes:-0}" -gt 0 ] || { verdict=FAIL; echo "lab-run: the scenario printed no PASS line"; }
if [ "$verdict" != PASS ]; then
  keep_results=1
  echo "lab-run: --- QEMU output ---"; tail -n 20 "$results/qemu.out" 2>/dev/null || true
  echo "lab-run: --- console (last 60 lines) ---"; tail -n 60 "$results/console.log" 2>/dev/null || true
  echo "lab-run: results kept in $results"
fi
echo "lab-run: $verdict $(basename "$scenario") passed=${passes:-0} failed=${fails:-0}"
[ "$verdict" = PASS ]
