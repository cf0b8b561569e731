# Sourced by hack/demo.sh and hack/bench-ctr.sh: a private containerd 1.6 whose root, state and sockets all live
# under one directory, CRI disabled, with <dir>/bin first on its PATH (where the caller puts the shim).
# start_private_containerd DIR LOG   — sets ctd_pid; the gRPC socket is DIR/c.sock (ttrpc: DIR/c.sock.ttrpc).
start_private_containerd() {
  local dir=$1 log=$2
  mkdir -p "$dir/bin"
  cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/c.sock"
[ttrpc]
  address = "$dir/c.sock.ttrpc"
TOML
  PATH="$dir/bin:$PATH" containerd --config "$dir/config.toml" >"$log" 2>&1 &
  ctd_pid=$!
}
