#!/bin/bash
# Smoke: the guest boots, the chroot works, and the host's dotnet runs in it.
set -u
echo "uname: $(uname -r)"
for d in /sys/bus/pci/devices/*; do echo "$(basename $d) $(cat $d/vendor):$(cat $d/device) $(cat $d/class) drv=$(basename "$(readlink $d/driver 2>/dev/null)") grp=$(basename "$(readlink $d/iommu_group 2>/dev/null)")"; done
s=$(cut -d' ' -f1 /proc/uptime)
dotnet --list-runtimes && echo "PASS dotnet-runs $(echo "$(cut -d' ' -f1 /proc/uptime) - $s" | bc)s" || echo "FAIL dotnet-runs"
