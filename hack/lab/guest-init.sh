#!/bin/busybox sh
# /init of the lab guest (packed into the initramfs by hack/lab/build.sh; runs as PID 1 under busybox).
# Mounts the host's root read-only over 9p at /host and a writable results directory at /results, loads the
# lab's modules, then runs the scenario named by `lab.scenario=<host path>` on the kernel command line inside
# `chroot /host` (so it uses the host's bash, dotnet, QEMU and the project's out/ unchanged, against the
# guest's real /sys and /dev). Everything goes to the serial console and to /results; then it powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "LAB: $*"; echo "LAB: $*" >> /results/guest.log 2>/dev/null; }
finish() { # exit-code
  say "RESULT exit=$1 uptime=$(up)"
  [ -d /results ] && echo "$1" > /results/exit-code
  sync
  poweroff -f
}
echo "LAB: init uptime=$(up)"

scenario=""; budget=300
for arg in $(cat /proc/cmdline); do
  case $arg in
    lab.scenario=*) scenario=${arg#lab.scenario=};;
    lab.timeout=*) budget=${arg#lab.timeout=};;
  esac
done

for m in virtio_pci 9pnet_virtio 9p; do modprobe "$m" || echo "LAB: modprobe $m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results /results || { echo "LAB: cannot mount the results share"; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /host || { say "FAIL init cannot mount the host root over 9p"; finish 2; }
say "9p mounted uptime=$(up)"

for m in nvme e1000e vfio vfio_iommu_type1 vfio-pci; do modprobe "$m" || say "modprobe $m failed"; done
say "modules loaded uptime=$(up)"

# The chroot sees the guest's kernel interfaces over the host's (read-only) files.
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -o bind /dev /host/dev
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs tmpfs /dev/shm
# devtmpfs lacks these; bash process substitution (<(...)) needs /dev/fd.
ln -sf /proc/self/fd /dev/fd; ln -sf /proc/self/fd/0 /dev/stdin; ln -sf /proc/self/fd/1 /dev/stdout; ln -sf /proc/self/fd/2 /dev/stderr
# Writable places live under a fresh /run; the host's /tmp stays visible (read-only), so a checkout under /tmp works.
mount -t tmpfs -o size=512m tmpfs /host/run
mkdir -p /host/run/tmp /host/run/home /host/run/lab-results && mount -o bind /results /host/run/lab-results

[ -n "$scenario" ] || { say "FAIL init no lab.scenario= on the kernel command line"; finish 2; }
[ -f "/host$scenario" ] || { say "FAIL init scenario $scenario not found under the host root"; finish 2; }
say "scenario $scenario start uptime=$(up) budget=${budget}s"
# busybox timeout kills the scenario at the budget; the host side has its own, larger deadline on QEMU.
timeout -s KILL "$budget" chroot /host /usr/bin/env -i \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/run/home TMPDIR=/run/tmp LANG=C.UTF-8 \
  LAB_RESULTS=/run/lab-results LAB_STATE=/run/kataplug-lab-state LAB_GUEST=1 \
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_gcServer=0 DOTNET_TieredPGO=0 \
  /bin/bash "$scenario" > /results/scenario.log 2>&1 &
pid=$!
tail -f /results/scenario.log 2>/dev/null &
tailpid=$!
wait $pid
rc=$?
kill $tailpid 2>/dev/null
say "scenario end rc=$rc uptime=$(up)"
finish $rc
