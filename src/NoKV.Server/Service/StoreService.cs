using Grpc.Core;
using NoKV.Protocol;

namespace NoKV.Server.Service;

/// <summary>
/// The gRPC front end of one store: each call translates a message into the in-process API and
/// the result back (Wire); errors are the interceptor's job. Split by aspect into partial files.
/// </summary>
internal sealed partial class StoreService(WorkspaceStore store, NoKVServerOptions options) : NoKVStore.NoKVStoreBase
{
    /// <summary>The wire protocol's version, for clients that must know what the server speaks.</summary>
    public const int ProtocolVersion = 1;

    private static readonly Empty Nothing = new();

    public override Task<PingReply> Ping(Empty request, ServerCallContext context) =>
        Task.FromResult(new PingReply { StoreDirectory = store.Directory, ProtocolVersion = ProtocolVersion, ChunkSize = options.StreamChunkSize });

    public override async Task<Empty> Flush(Empty request, ServerCallContext context)
    {
        await store.FlushAsync(context.CancellationToken).ConfigureAwait(false);
        return Nothing;
    }

    public override async Task<GcReply> CollectGarbage(GcRequest request, ServerCallContext context) =>
        Wire.ToWire(await store.CollectGarbageAsync(Enum<GcMode>(request.Mode), context.CancellationToken).ConfigureAwait(false));

    public override async Task<VerifyReply> Verify(VerifyRequest request, ServerCallContext context) =>
        Wire.ToWire(await store.VerifyAsync(new VerifyOptions { CheckBlockContents = request.CheckBlockContents, FindOrphanBlocks = request.FindOrphanBlocks }, context.CancellationToken).ConfigureAwait(false));

    /// <summary>An enum value from the wire, refused (ArgumentException: InvalidArgument at the client) when this server has no such value.</summary>
    private static T Enum<T>(int value) where T : struct, Enum =>
        System.Enum.IsDefined(typeof(T), value)
            ? (T)(object)value
            : throw new ArgumentException($"{value} is not a {typeof(T).Name}", nameof(value));

    /// <summary>A required string field, refused (ArgumentException: InvalidArgument at the client) when missing.</summary>
    private static string Required(string value, string field) =>
        string.IsNullOrEmpty(value) ? throw new ArgumentException($"{field} is required", field) : value;
}
