#!/usr/bin/env bash
# Builds the real-kernel lab's guest files from Debian packages only (nothing is installed on the host):
#   <cache>/<key>/vmlinux    the kernel as an uncompressed ELF (QEMU boots it through PVH: no firmware, no decompressor)
#   <cache>/<key>/initrd.gz  busybox-static + the modules the lab needs (modules.dep closure) + hack/lab/guest-init.sh
# The key is the kernel and busybox package versions plus a hash of this script and the init, so a second run
# is a cache hit (a few ms). Prints the directory on the last line of stdout; logs go to stderr.
# Env: KATAPLUG_LAB_CACHE (default ~/.cache/kataplug-lab), KATAPLUG_LAB_KERNEL_PKG (default: what linux-image-amd64 depends on).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${KATAPLUG_LAB_CACHE:-${HOME:-/root}/.cache/kataplug-lab}
log() { echo "lab-build: $*" >&2; }
die() { echo "lab-build: ERROR: $*" >&2; exit 1; }

# Modules the guest loads; their dependencies are added from modules.dep.
# crct10dif_generic / crc64_rocksoft_generic: nvme-core's t10-pi asks for these algorithms at run time, not via modules.dep.
wanted_modules="vfio vfio-pci vfio_iommu_type1 nvme e1000e 9p 9pnet_virtio virtio_pci pci-stub crct10dif_generic crc64_rocksoft_generic"

candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}'; }

resolve_packages() {
  kpkg=${KATAPLUG_LAB_KERNEL_PKG:-$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')}
  kver_pkg=$( [ -n "$kpkg" ] && candidate "$kpkg" || true)
  bbver=$(candidate busybox-static)
}
resolve_packages
if [ -z "$kpkg" ] || [ -z "$kver_pkg" ] || [ "$kver_pkg" = "(none)" ] || [ -z "$bbver" ] || [ "$bbver" = "(none)" ]; then
  log "package lists lack linux-image-amd64/busybox-static: running apt-get update"
  timeout 300 apt-get update -qq >&2 || die "apt-get update failed; the lab needs Debian's package lists (run as root on Debian 12)"
  resolve_packages
fi
[ -n "$kpkg" ] && [ -n "$kver_pkg" ] && [ "$kver_pkg" != "(none)" ] || die "no candidate for the kernel package '${kpkg:-linux-image-6.1.0-*-amd64}'; set KATAPLUG_LAB_KERNEL_PKG to one that 'apt-cache policy' lists"
[ -n "$bbver" ] && [ "$bbver" != "(none)" ] || die "no candidate for busybox-static; run apt-get update"
krel=${kpkg#linux-image-}   # e.g. 6.1.0-56-amd64 (the directory under lib/modules)

# One build at a time per cache (parallel runs would race on the same key and on pruning).
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock -w 900 9 || die "another build.sh held $cache/.lock for 15 minutes"

script_hash=$(cat "$0" "$here/guest-init.sh" | sha256sum | cut -c1-12)
key="${kpkg}_${kver_pkg}_busybox_${bbver}_${script_hash}"
key=${key//[^A-Za-z0-9._-]/_}
out="$cache/$key"
if [ -s "$out/vmlinux" ] && [ -s "$out/initrd.gz" ]; then
  log "cache hit: $out"
  echo "$out"
  exit 0
fi

start=$(date +%s.%N)
mkdir -p "$cache/debs"
work=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

fetch() { # package version -> path of the .deb in the cache
  local deb
  deb=$(ls "$cache/debs/${1}_"*.deb 2>/dev/null | grep -F "_${2//:/%3a}_" | head -1 || true)
  if [ -z "$deb" ]; then
    log "apt-get download $1=$2"
    (cd "$cache/debs" && timeout 600 apt-get download -q -o APT::Sandbox::User=root "$1=$2" >&2) || die "apt-get download $1=$2 failed (no Debian mirror reachable?)"
    deb=$(ls "$cache/debs/${1}_"*.deb | grep -F "_${2//:/%3a}_" | head -1)
  fi
  echo "$deb"
}
kdeb=$(fetch "$kpkg" "$kver_pkg")
bdeb=$(fetch busybox-static "$bbver")
dpkg -x "$kdeb" "$work/kpkg"
dpkg -x "$bdeb" "$work/bb"
bb="$work/bb/bin/busybox"
[ -x "$bb" ] || die "busybox-static package has no bin/busybox"
kmods="$work/kpkg/lib/modules/$krel"
[ -d "$kmods" ] || die "kernel package $kpkg has no lib/modules/$krel"

log "depmod for $krel"
"$bb" depmod -b "$work/kpkg" "$krel"

# Dependency closure over modules.dep. Names normalise '-' to '_' the way modprobe does.
closure=$(awk -v want="$wanted_modules" '
  function norm(p,   n) { n = p; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n); gsub(/-/, "_", n); return n }
  BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { q = w[i]; gsub(/-/, "_", q); queue[++tail] = q } }
  { path = $1; sub(/:$/, "", path); m = norm(path); file[m] = path; deps[m] = ""; for (i = 2; i <= NF; i++) deps[m] = deps[m] " " $i }
  END {
    head = 0
    while (head < tail) {
      m = queue[++head]; if (m in seen) continue; seen[m] = 1
      if (!(m in file)) { print "MISSING " m; continue }
      print file[m]
      k = split(deps[m], d, " "); for (i = 1; i <= k; i++) queue[++tail] = norm(d[i])
    }
  }' "$kmods/modules.dep")
missing=$(echo "$closure" | awk '/^MISSING/ {print $2}' | tr '\n' ' ')
# Modules that are built into this kernel are fine to miss; anything else is an error.
for m in $missing; do
  grep -qE "/${m//_/[-_]}\.ko" "$kmods/modules.builtin" 2>/dev/null || case $m in crc64_rocksoft_generic|crct10dif_generic) log "note: $m not shipped as a module";; *) die "module $m is neither in $kpkg nor built in";; esac
done

root="$work/initramfs"
mkdir -p "$root/bin" "$root/lib/modules/$krel" "$root/proc" "$root/sys" "$root/dev" "$root/host" "$root/results" "$root/tmp"
cp "$bb" "$root/bin/busybox"
nmods=0
for rel in $(echo "$closure" | grep -v '^MISSING'); do
  mkdir -p "$root/lib/modules/$krel/$(dirname "$rel")"
  case $rel in
    *.ko.xz) xz -dc "$kmods/$rel" > "$root/lib/modules/$krel/${rel%.xz}";;
    *) cp "$kmods/$rel" "$root/lib/modules/$krel/$rel";;
  esac
  nmods=$((nmods + 1))
done
cp "$kmods"/modules.order "$kmods"/modules.builtin* "$root/lib/modules/$krel/" 2>/dev/null || true
"$bb" depmod -b "$root" "$krel"
cp "$here/guest-init.sh" "$root/init"
chmod 755 "$root/init"
echo "$krel" > "$root/kernel-release"

mkdir -p "$work/out"
(cd "$root" && find . | "$bb" cpio -o -H newc 2>/dev/null | gzip -1) > "$work/out/initrd.gz"

# PVH boot wants the ELF vmlinux: the bzImage payload is xz-compressed, so decompress from the xz magic.
vmlinuz=$(ls "$work/kpkg/boot/vmlinuz-"* | head -1)
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -1 | cut -d: -f1)
[ -n "$off" ] || die "no xz payload in $vmlinuz (the lab expects Debian's xz-compressed kernel)"
tail -c +$((off + 1)) "$vmlinuz" | xz -dc > "$work/out/vmlinux" 2>/dev/null || true   # trailing data after the stream is expected
head -c 4 "$work/out/vmlinux" | grep -q 'ELF' || die "decompressed kernel from $vmlinuz is not an ELF file"

{ echo "kernel_package=$kpkg"; echo "kernel_version=$kver_pkg"; echo "kernel_release=$krel"
  echo "busybox_version=$bbver"; echo "modules=$nmods"; } > "$work/out/versions"
rm -rf "$out"; mkdir -p "$(dirname "$out")"; mv "$work/out" "$out"
# Older builds (other package versions or scripts) are 67 MB each: keep only this one; the .debs stay.
for old in "$cache"/linux-image-*; do [ "$old" = "$out" ] || rm -rf "$old"; done
log "built $out ($nmods modules, initrd $(du -h "$out/initrd.gz" | cut -f1)) in $(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo '?') s"
echo "$out"
