using Google.Protobuf;

namespace Shim.Ttrpc;

/// <summary>One registered (service, method): decodes the payload, runs the handler, returns the reply.</summary>
internal interface IMethodHandler
{
    Task<IMessage> InvokeAsync(ByteString payload, TtrpcCallContext context);
}

internal sealed class MethodHandler<TRequest, TResponse>(
    MessageParser<TRequest> parser,
    Func<TRequest, TtrpcCallContext, Task<TResponse>> handler) : IMethodHandler
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage
{
    public async Task<IMessage> InvokeAsync(ByteString payload, TtrpcCallContext context)
    {
        TRequest request;
        try
        {
            request = parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new TtrpcException(StatusCode.Internal, $"ttrpc: error unmarshalling payload: {ex.Message}", ex);
        }
        var task = handler(request, context)
            ?? throw new TtrpcException(StatusCode.Internal, $"handler {context.Service}/{context.Method} returned a null Task; return Task.FromResult(...)");
        var response = await task.ConfigureAwait(false);
        return response is null
            ? throw new TtrpcException(StatusCode.Internal, $"handler {context.Service}/{context.Method} returned null; return an empty {typeof(TResponse).Name} instead")
            : response;
    }
}
