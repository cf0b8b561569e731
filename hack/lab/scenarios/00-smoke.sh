#!/bin/bash
# Smoke (for debugging the lab itself; no product code): the guest boots, the 9p chroot works, the host's dotnet
# runs in it. Prints the guest's PCI view.
. "$(dirname "$0")/lib.sh"
echo "kernel $(uname -r)"
for d in "$SYS"/*; do b=$(basename "$d"); echo "$b $(cat "$d/vendor"):$(cat "$d/device") $(cat "$d/class") drv=$(driver_of "$b") grp=$(group_of "$b")"; done
t=$(uptime_s)
if dotnet --list-runtimes; then pass dotnet-runs "$(since "$t")s"; else fail dotnet-runs "exit $?"; fi
finish
