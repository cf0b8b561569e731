#!/usr/bin/env bash
# End-to-end numbers of issue #8, through a private containerd 1.6, the shim, QEMU and the Kata agent protocol
# (kataplug-test-agent standing in for the guest agent): `ctr run --rm` of /bin/true (wall, median of N), and stdout
# throughput through the shim (M MiB written by the container, timed from the first to the last byte ctr prints).
# Too heavy for BenchmarkDotNet (a containerd, a QEMU per run), hence a script.
# Usage: hack/bench-ctr.sh [--runs N] [--mib M] [--shim PATH]   (defaults: 10 runs, 64 MiB, out/bin's shim)
# Needs hack/setup.sh to have run (out/bin); runs as root (containerd, bind mounts, chroot).
set -euo pipefail
cd "$(dirname "$0")/.."
. hack/lib/private-containerd.sh
runs=10; mib=64; shim=$PWD/out/bin/containerd-shim-kataplug-v2; csv=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2;;
    --mib) mib=$2; shift 2;;
    --shim) shim=$(realpath "$2"); shift 2;;
    --csv) csv=$2; shift 2;;   # also write the rows for hack/bench.sh's table
    *) echo "bench-ctr: unknown argument $1" >&2; exit 2;;
  esac
done
[ -x "$shim" ] || { echo "bench-ctr: $shim is missing; run hack/setup.sh (or pass --shim)" >&2; exit 1; }

work=$(mktemp -d /tmp/kpb.XXXXXX)
ctd=$work/ctd; mkdir -p "$ctd/bin" "$work/state" "$work/fifo"
ctd_pid=""; agent_pid=""
cleanup() {
  [ -z "$agent_pid" ] || { kill "$agent_pid" 2>/dev/null || true; wait "$agent_pid" 2>/dev/null || true; }
  [ -z "$ctd_pid" ] || { kill "$ctd_pid" 2>/dev/null || true; wait "$ctd_pid" 2>/dev/null || true; }
  # A run cut short leaves shim daemons, QEMUs and rootfs shares behind: end them, detach the shares, then delete.
  pkill -f -- "$work" 2>/dev/null || true
  awk -v w="$work" '$5 ~ "^"w {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$work" 2>/dev/null || echo "bench-ctr: left $work (a mount is still there)" >&2
}
trap cleanup EXIT

echo "bench-ctr: building the test agent" >&2
dotnet build tests/Shim.TestAgent -c Release -o "$work/agent" --nologo -v quiet -clp:ErrorsOnly >&2
printf '#!/bin/sh\nexec %s "$@"\n' "$shim" >"$ctd/bin/containerd-shim-kataplug-v2"
chmod +x "$ctd/bin/containerd-shim-kataplug-v2"
start_private_containerd "$ctd" "$work/containerd.log"
"$work/agent/kataplug-test-agent" --socket "$work/agent.sock" --shared-root "$work/state/sandboxes/{sandbox}/shared" \
  --serve-many >"$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 300); do [ -S "$ctd/c.sock" ] && grep -q '^ready ' "$work/agent.log" 2>/dev/null && break; sleep 0.1; done
[ -S "$ctd/c.sock" ] || { tail -20 "$work/containerd.log" >&2; echo "bench-ctr: containerd did not start" >&2; exit 1; }
grep -q '^ready ' "$work/agent.log" || { cat "$work/agent.log" >&2; echo "bench-ctr: the test agent did not start" >&2; exit 1; }

for bin in /bin/sh /bin/true /bin/yes /bin/head; do
  for f in "$bin" $(ldd "$bin" | grep -o '/[^ ]*'); do mkdir -p "$work/rootfs$(dirname "$f")"; cp -L "$f" "$work/rootfs$f"; done
done
printf '[hypervisor.qemu]\npath = "/usr/bin/qemu-system-x86_64"\nmachine_type = "q35"\ndefault_memory = 128\n[agent.kata]\naddress = "hvsock://%s:1024"\n[plugins]\nenabled = []\n[host]\nstate_dir = "%s"\n' \
  "$work/agent.sock" "$work/state" >"$work/shim.toml"

run() { # id command...
  local id=$1; shift
  ctr --address "$ctd/c.sock" -n bench run --rm --fifo-dir "$work/fifo" --runtime io.containerd.kataplug.v2 \
    --runtime-config-path "$work/shim.toml" --rootfs "$work/rootfs" "$id" "$@" </dev/null
}
fail() { echo "bench-ctr: $*" >&2; tail -30 "$work/containerd.log" >&2; exit 1; }

echo "bench-ctr: warm-up run (page cache, first JIT of the shim), not counted" >&2
run b-warm /bin/true || fail "ctr run of /bin/true failed"
times=()
for i in $(seq "$runs"); do
  t0=$(date +%s%N)
  run "b-true-$i" /bin/true || fail "run $i failed"
  times+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
echo "ctr run --rm /bin/true, end to end: median ${median} ms of ${runs} (sorted: ${sorted% })"
load=$(cut -d' ' -f1 /proc/loadavg)
[ -z "$csv" ] || printf 'Method,Mean,Allocated,Note\n"ctr run --rm /bin/true, end to end","%s ms (median)",-,"%s runs, sorted: %s; load %s"\n' \
  "$median" "$runs" "${sorted% }" "$load" >"$csv"

# Throughput: bytes / (time of the last byte - time of the first), so VM start-up is not counted. The source is
# `yes | head -c` (the test agent's chroot has no /dev, so no /dev/zero); ctr's stderr (yes: Broken pipe) is dropped.
run b-stdout /bin/sh -c "yes | head -c $((mib << 20))" 2>/dev/null | BENCH_CTR_CSV=$csv python3 -c '
import os, sys, time
want = int(sys.argv[1]) << 20
first = None; n = 0; f = sys.stdin.buffer
while True:
    b = f.read1(1 << 20)
    if not b: break
    if first is None: first = time.monotonic()
    n += len(b)
last = time.monotonic()
if n != want: sys.exit(f"bench-ctr: got {n} bytes of stdout, expected {want}")
secs = max(last - first, 1e-9)
print(f"stdout through the shim: {n >> 20} MiB in {secs*1000:.0f} ms = {n / secs / 1e6:.1f} MB/s")
csv = os.environ.get("BENCH_CTR_CSV")
if csv:
    with open(csv, "a") as f:
        f.write("\"stdout through the shim\",\"%.1f MB/s\",-,\"%d MiB, first to last byte\"\n" % (n / secs / 1e6, n >> 20))
' "$mib" || fail "throughput run failed"
