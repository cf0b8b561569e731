#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian 12 machine: system packages, NuGet restore, ReadyToRun publish to out/.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
for p in qemu-system-x86 containerd iproute2 ethtool util-linux kmod jq cpio xz-utils python3 strace; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "setup: installing ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is required on PATH" >&2; exit 1; }

echo "setup: dotnet restore"
dotnet restore Shim.sln --nologo -v quiet

echo "setup: publishing ReadyToRun builds to out/"
rid=linux-x64
publish() { # project output-dir
  dotnet publish "$1" -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true \
    -o "$2" --nologo -v quiet
}
publish src/Kataplug.Cli/Kataplug.Cli.csproj out/bin
# The shim is self-contained with a composite ReadyToRun image (framework included): containerd starts a fresh
# daemon per sandbox and the first Create must not wait on the JIT (issue #7: refusal in ≤ 50 ms). out/bin links it.
dotnet publish src/Kataplug.ShimHost/Kataplug.ShimHost.csproj -c Release -r "$rid" --self-contained true \
  -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o out/shim --nologo -v quiet
rm -f out/bin/containerd-shim-kataplug-v2 out/bin/containerd-shim-kataplug-v2.dll out/bin/containerd-shim-kataplug-v2.deps.json out/bin/containerd-shim-kataplug-v2.runtimeconfig.json
ln -s ../shim/containerd-shim-kataplug-v2 out/bin/containerd-shim-kataplug-v2
for proj in plugins/*/*.csproj; do
  [ -e "$proj" ] || continue
  name=$(basename "$(dirname "$proj")")
  publish "$proj" "out/plugins/$name"
  # Plugins run as root inside the shim: the loader refuses files writable by group or others.
  chmod -R go-w "out/plugins/$name"
done
echo "setup: done (out/bin/kataplug, out/bin/containerd-shim-kataplug-v2 -> out/shim/)"
