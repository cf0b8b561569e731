using System.Collections.Concurrent;
using Google.Protobuf;

namespace Shim.Ttrpc;

/// <summary>Routes (service, method) exactly as sent, case-sensitive (ttrpc.md §6.1).</summary>
internal sealed class MethodTable
{
    private readonly ConcurrentDictionary<(string Service, string Method), IMethodHandler> methods = new();
    private readonly ConcurrentDictionary<string, byte> services = new(StringComparer.Ordinal);

    public void Add<TRequest, TResponse>(
        string service,
        string method,
        MessageParser<TRequest> parser,
        Func<TRequest, TtrpcCallContext, Task<TResponse>> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(handler);
        if (!methods.TryAdd((service, method), new MethodHandler<TRequest, TResponse>(parser, handler)))
        {
            throw new InvalidOperationException($"ttrpc method {service}/{method} is already registered; register each method once");
        }
        services.TryAdd(service, 0);
    }

    /// <summary>The handler, or a code-12 exception with Go's text (<c>service X</c> / <c>method X</c>).</summary>
    public IMethodHandler Find(string service, string method) =>
        methods.TryGetValue((service, method), out var handler) ? handler
        : services.ContainsKey(service) ? throw new TtrpcException(StatusCode.Unimplemented, $"method {method}")
        : throw new TtrpcException(StatusCode.Unimplemented, $"service {service}");
}
