using System.Diagnostics;
using Shim.Ttrpc;
using OciProcess = Shim.Agent.Protocol.Process;

namespace Shim.TestAgent;

/// <summary>
/// How a container process is launched on the host: the OCI args, under <c>chroot(8)</c> when the rootfs is
/// not <c>/</c>, and for a terminal process behind a host <c>sh</c> that opens the pty slave as fds 0/1/2 and
/// <c>setsid --ctty</c> (util-linux), which starts a new session with the slave as controlling terminal.
/// Every step <c>exec</c>s, so the pid .NET reports is the container process itself.
/// </summary>
internal static class GuestCommandLine
{
    // The slave is opened by path before chroot: the rootfs need not have /dev/pts.
    private const string TerminalScript = "exec 0<>\"$0\" 1>&0 2>&0; exec \"$@\"";

    // Enters the cwd inside the rootfs: `sh -c 'cd "$0" && exec "$@"' cwd args…`.
    private const string CwdScript = "cd \"$0\" && exec \"$@\"";

    private static readonly Lazy<string> HostShell = new(() => HostTool("sh"));
    private static readonly Lazy<string> Setsid = new(() => HostTool("setsid"));
    private static readonly Lazy<string> Chroot = new(() => HostTool("chroot"));
    private static readonly Lazy<string> Env = new(() => HostTool("env"));
    private static readonly Lazy<string> Unshare = new(() => HostTool("unshare"));

    // Runs in a private mount namespace of the process's own (so every mount vanishes with it, nothing to clean up):
    // /proc and a minimal /dev inside the rootfs, where the rootfs has those directories, as the agent mounts the
    // spec's proc and dev mounts. Then "$@" (chroot …).
    private const string GuestMountsScript =
        "r=\"$0\"; " +
        "if [ -d \"$r/proc\" ]; then mount -t proc proc \"$r/proc\" || exit 126; fi; " +
        "if [ -d \"$r/dev\" ]; then mount -t tmpfs -o mode=755,size=1m tmpfs \"$r/dev\" || exit 126; " +
        "for n in null zero full random urandom tty; do : > \"$r/dev/$n\" && mount --bind \"/dev/$n\" \"$r/dev/$n\"; done; fi; " +
        "exec \"$@\"";

    public static void Configure(ProcessStartInfo psi, OciProcess spec, string rootfs, string? terminalPath)
    {
        var cwd = string.IsNullOrEmpty(spec.Cwd) ? "/" : spec.Cwd;
        var chrooted = !string.IsNullOrEmpty(rootfs) && rootfs != "/";
        IEnumerable<string> command = chrooted
            ? [Unshare.Value, "--mount", "--uts", "--ipc", "--propagation", "private", HostShell.Value, "-c", GuestMountsScript, rootfs,
               Chroot.Value, rootfs, "/bin/sh", "-c", CwdScript, cwd, .. spec.Args]
            : spec.Args;
        if (!chrooted)
        {
            psi.WorkingDirectory = cwd;
        }
        // .NET ignores SIGPIPE and children inherit an ignored signal (a shell cannot undo that); a guest process
        // starts with the default, so `yes | head` ends quietly as it would in a VM.
        command = [Env.Value, "--default-signal=PIPE", .. command];
        if (terminalPath is not null)
        {
            command = [HostShell.Value, "-c", TerminalScript, terminalPath, Setsid.Value, "--ctty", .. command];
        }
        var all = command.ToList();
        psi.FileName = all[0];
        foreach (var arg in all.Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }
    }

    /// <summary>
    /// The wrappers exec the program only after the launch succeeded, so a missing absolute program is
    /// reported here, as the agent reports it at start (code 13 naming it).
    /// </summary>
    public static void RequireProgram(OciProcess spec, string rootfs, string execId)
    {
        var program = spec.Args[0];
        if (!program.StartsWith('/'))
        {
            return;
        }
        var onHost = string.IsNullOrEmpty(rootfs) || rootfs == "/" ? program : Path.Join(rootfs, program);
        if (!File.Exists(onHost) && new FileInfo(onHost).LinkTarget is null)
        {
            throw new TtrpcException(StatusCode.Internal, $"cannot start process '{program}' ({execId}): no such file (looked at {onHost})");
        }
    }

    private static string HostTool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists)
        ?? throw new TtrpcException(StatusCode.Internal,
            $"'{name}' not found on the agent's PATH; install it (util-linux for setsid, coreutils for chroot)");
}
