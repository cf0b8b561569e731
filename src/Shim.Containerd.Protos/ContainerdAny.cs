using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Shim.Containerd.Protos;

/// <summary>
/// <see cref="Any"/> the way containerd 1.6 needs it: written with a BARE type URL (the message's full
/// name, e.g. <c>containerd.events.TaskExit</c>) because typeurl v1.0.2 looks URLs up verbatim, and read
/// accepting both the bare and the <c>type.googleapis.com/</c>-prefixed form.
/// <see cref="Any.Pack(IMessage)"/> adds the prefix and <see cref="Any.Unpack{T}"/> rejects bare URLs,
/// so neither is usable here (containerd-shim-v2.md §11.2, §17).
/// </summary>
public static class ContainerdAny
{
    private const string GooglePrefix = "type.googleapis.com/";

    /// <summary>Packs <paramref name="message"/> with its bare full name as the type URL.</summary>
    public static Any Pack(IMessage message) =>
        new() { TypeUrl = message.Descriptor.FullName, Value = message.ToByteString() };

    /// <summary>The full message name an <see cref="Any"/> names: the text after the last '/', or the whole URL.</summary>
    public static string TypeName(Any any)
    {
        var url = any.TypeUrl;
        var slash = url.LastIndexOf('/');
        return slash < 0 ? url : url[(slash + 1)..];
    }

    /// <summary>True when <paramref name="any"/> holds a <typeparamref name="T"/> (bare or prefixed URL).</summary>
    public static bool Is<T>(Any any, MessageParser<T> parser) where T : IMessage<T>, new() =>
        TypeName(any) == new T().Descriptor.FullName;

    /// <summary>Decodes <paramref name="any"/> as <typeparamref name="T"/>; false when the type URL names another type.</summary>
    /// <exception cref="InvalidProtocolBufferException">the type matches but the value does not decode.</exception>
    public static bool TryUnpack<T>(Any any, MessageParser<T> parser, [MaybeNullWhen(false)] out T message) where T : IMessage<T>, new()
    {
        if (!Is(any, parser))
        {
            message = default;
            return false;
        }
        message = parser.ParseFrom(any.Value);
        return true;
    }

    /// <summary>Decodes <paramref name="any"/> as <typeparamref name="T"/>; ArgumentException naming both types on a mismatch.</summary>
    public static T Unpack<T>(Any any, MessageParser<T> parser) where T : IMessage<T>, new() =>
        TryUnpack(any, parser, out var message)
            ? message
            : throw new ArgumentException(
                $"Any has type URL '{any.TypeUrl}', expected '{new T().Descriptor.FullName}' " +
                $"(bare or with the '{GooglePrefix}' prefix)", nameof(any));
}
