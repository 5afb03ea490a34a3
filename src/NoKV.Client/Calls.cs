using System.Runtime.CompilerServices;
using Grpc.Core;
using NoKV.Protocol;

namespace NoKV.Client;

/// <summary>
/// Runs calls on the generated stub and turns failures back into what the in-process API throws:
/// the typed NoKV exception from the trailer (ErrorTable), OperationCanceledException for the
/// caller's cancellation, ServerUnavailableException when the owner is gone.
/// </summary>
internal sealed class Calls(NoKVStore.NoKVStoreClient stub, NoKVClientOptions options, string socketPath)
{
    public NoKVStore.NoKVStoreClient Stub => stub;

    public int WriteChunkSize => options.WriteChunkSize;

    /// <summary>Options for a short call: the caller's token and, if configured, a deadline.</summary>
    public CallOptions Short(CancellationToken cancellationToken) =>
        new(deadline: options.CallTimeout is { } timeout ? DateTime.UtcNow + timeout : null, cancellationToken: cancellationToken);

    /// <summary>Options for a data stream: no deadline (a large file takes as long as it takes), only the token.</summary>
    public static CallOptions Long(CancellationToken cancellationToken) => new(cancellationToken: cancellationToken);

    public async Task<T> UnaryAsync<T>(Func<CallOptions, AsyncUnaryCall<T>> start, CancellationToken cancellationToken)
    {
        try
        {
            using var call = start(Short(cancellationToken));
            return await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw Translate(e, cancellationToken);
        }
    }

    public async IAsyncEnumerable<T> StreamAsync<TWire, T>(Func<CallOptions, AsyncServerStreamingCall<TWire>> start, Func<TWire, T> map, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = Start(start, Short(cancellationToken), cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw Translate(e, cancellationToken);
            }
            if (!more) yield break;
            yield return map(call.ResponseStream.Current);
        }
    }

    public AsyncServerStreamingCall<TWire> Start<TWire>(Func<CallOptions, AsyncServerStreamingCall<TWire>> start, CallOptions callOptions, CancellationToken cancellationToken)
    {
        try
        {
            return start(callOptions);
        }
        catch (RpcException e)
        {
            throw Translate(e, cancellationToken);
        }
    }

    public Exception Translate(RpcException e, CancellationToken cancellationToken)
    {
        if (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested) return new OperationCanceledException(e.Message, e, cancellationToken);
        if (e.Trailers.GetValueBytes(ErrorTable.TrailerKey) is { } bytes)
        {
            try
            {
                return ErrorTable.Rebuild(ErrorDetail.Parser.ParseFrom(bytes));
            }
            catch (Google.Protobuf.InvalidProtocolBufferException)
            {
                // Not a detail this client can read: report the status itself below.
            }
        }
        if (e.StatusCode == StatusCode.Unavailable) return new ServerUnavailableException(socketPath, e);
        return e; // DeadlineExceeded, ResourceExhausted (a message over the limit), Internal: the status as gRPC gave it
    }
}
