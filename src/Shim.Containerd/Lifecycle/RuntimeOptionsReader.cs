using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Shim.Containerd.Protos;
using Shim.Containerd.Protos.RuntimeOptions;

namespace Shim.Containerd.Lifecycle;

/// <summary>
/// Reads containerd's runtime options: the raw bytes of a <c>google.protobuf.Any</c> on <c>start</c>'s stdin
/// (empty with no options) and the same <c>Any</c> in <c>CreateTaskRequest.options</c> (§3.3, ttrpc.md §10.4).
/// An <c>Any</c> of another type (e.g. runc options from a default CRI handler) is ignored, not an error (§12.3).
/// </summary>
public static class RuntimeOptionsReader
{
    /// <summary>The config_path carried by the options, or null.</summary>
    /// <exception cref="InvalidDataException">the bytes are not a protobuf <c>Any</c>.</exception>
    public static string? ConfigPathFromStdinBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return null;
        }
        Any any;
        try
        {
            any = Any.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException(
                $"stdin of start holds {bytes.Length} bytes that are not a protobuf Any ({ex.Message}); containerd sends the runtime options Any or nothing", ex);
        }
        return ConfigPath(any);
    }

    /// <summary>The config_path of a runtimeoptions.v1.Options <c>Any</c> (bare or prefixed URL), else null.</summary>
    public static string? ConfigPath(Any? any)
    {
        if (any is null || !ContainerdAny.TryUnpack(any, Options.Parser, out var options))
        {
            return null;
        }
        return string.IsNullOrEmpty(options.ConfigPath) ? null : options.ConfigPath;
    }

    /// <summary>Reads stdin to EOF as bytes (never through a text reader).</summary>
    public static byte[] ReadAll(Stream stdin)
    {
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        return buffer.ToArray();
    }
}
