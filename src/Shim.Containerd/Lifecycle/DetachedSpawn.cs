using System.Collections;
using System.Runtime.InteropServices;
using System.Text;
using Shim.Containerd.Native;

namespace Shim.Containerd.Lifecycle;

/// <summary>
/// Starts a process that shares nothing with its parent's stdio: posix_spawn with <c>POSIX_SPAWN_SETSID</c>
/// (new session and process group, so signals to containerd's group miss it), fds 0–2 on <c>/dev/null</c> and
/// every other fd closed (except, when asked, one pipe passed as fd 3: <see cref="ReadinessPipe"/>).
/// <see cref="System.Diagnostics.Process"/> would inherit containerd's
/// <c>CombinedOutput</c> pipe and hang <c>ctr</c> forever (containerd-shim-v2.md §3.6).
/// </summary>
public static unsafe class DetachedSpawn
{
    // glibc: posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on x86_64; allocate generously.
    private const int OpaqueSize = 1024;

    /// <summary>Spawns <paramref name="executable"/> with <paramref name="arguments"/> (argv[0] is added) and the current environment.</summary>
    /// <param name="passAsFd3">An fd of ours the child gets as fd 3 (the readiness pipe), or null for none.</param>
    /// <returns>The child's pid; it stays our child (reap it with <see cref="ChildProcess.TryReap"/>) until we exit.</returns>
    /// <exception cref="IOException">posix_spawn failed; the message carries errno.</exception>
    public static int Spawn(string executable, IReadOnlyList<string> arguments, int? passAsFd3 = null)
    {
        var argv = new List<string> { executable };
        argv.AddRange(arguments);
        var env = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}")
            .ToList();

        var allocations = new List<nint>();
        var fileActions = NativeMemory.AllocZeroed(OpaqueSize);
        var attributes = NativeMemory.AllocZeroed(OpaqueSize);
        try
        {
            Check(LibC.FileActionsInit(fileActions), "posix_spawn_file_actions_init");
            Check(LibC.SpawnAttrInit(attributes), "posix_spawnattr_init");
            try
            {
                if (passAsFd3 is { } fd)
                {
                    // First, before the opens below can reuse its number; dup2 clears close-on-exec on fd 3.
                    Check(ReadinessNative.FileActionsAddDup2(fileActions, fd, ReadinessPipe.DaemonFd), "adddup2 fd 3");
                }
                var devNull = Utf8(allocations, "/dev/null");
                Check(LibC.FileActionsAddOpen(fileActions, 0, devNull, LibC.O_RDONLY, 0), "addopen stdin");
                Check(LibC.FileActionsAddOpen(fileActions, 1, devNull, LibC.O_WRONLY, 0), "addopen stdout");
                Check(LibC.FileActionsAddOpen(fileActions, 2, devNull, LibC.O_WRONLY, 0), "addopen stderr");
                try
                {
                    Check(LibC.FileActionsAddCloseFrom(fileActions, passAsFd3 is null ? 3 : 4), "addclosefrom_np");
                }
                catch (EntryPointNotFoundException)
                {
                    // glibc < 2.34: .NET opens everything O_CLOEXEC, so nothing else leaks anyway.
                }
                Check(LibC.SpawnAttrSetFlags(attributes, LibC.POSIX_SPAWN_SETSID), "posix_spawnattr_setflags(SETSID)");

                var argvPtr = NullTerminated(allocations, argv);
                var envPtr = NullTerminated(allocations, env);
                int pid;
                var rc = LibC.PosixSpawn(&pid, Utf8(allocations, executable), fileActions, attributes, argvPtr, envPtr);
                return rc == 0
                    ? pid
                    : throw new IOException($"posix_spawn({executable}) failed: {Marshal.GetPInvokeErrorMessage(rc)} (errno {rc}); check that the shim binary is executable");
            }
            finally
            {
                LibC.FileActionsDestroy(fileActions);
                LibC.SpawnAttrDestroy(attributes);
            }
        }
        finally
        {
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attributes);
            foreach (var p in allocations)
            {
                NativeMemory.Free((void*)p);
            }
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw new IOException($"{what} failed: {Marshal.GetPInvokeErrorMessage(rc)} (errno {rc})");
        }
    }

    private static byte* Utf8(List<nint> allocations, string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        var p = (byte*)NativeMemory.Alloc((nuint)count + 1);
        allocations.Add((nint)p);
        Encoding.UTF8.GetBytes(value, new Span<byte>(p, count));
        p[count] = 0;
        return p;
    }

    private static byte** NullTerminated(List<nint> allocations, List<string> values)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(values.Count + 1), (nuint)sizeof(nint));
        allocations.Add((nint)array);
        for (var i = 0; i < values.Count; i++)
        {
            array[i] = Utf8(allocations, values[i]);
        }
        return array;
    }
}
