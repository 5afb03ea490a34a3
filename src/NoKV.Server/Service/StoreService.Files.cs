using Google.Protobuf;
using Grpc.Core;
using NoKV.Protocol;

namespace NoKV.Server.Service;

internal sealed partial class StoreService
{
    public override Task<Node> Stat(NodeRequest request, ServerCallContext context) =>
        Task.FromResult(Wire.ToWire(Reading(request, out var path).Stat(path)));

    public override Task<BoolReply> Exists(NodeRequest request, ServerCallContext context) =>
        Task.FromResult(new BoolReply { Value = Reading(request, out var path).Exists(path) });

    public override async Task List(NodeRequest request, IServerStreamWriter<Node> responseStream, ServerCallContext context)
    {
        var side = Reading(request, out var path);
        await foreach (var node in side.EnumerateAsync(path, context.CancellationToken).ConfigureAwait(false))
            await responseStream.WriteAsync(Wire.ToWire(node), context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the file in chunks of StreamChunkSize; HTTP/2 flow control keeps only a few in flight.</summary>
    public override async Task Read(NodeRequest request, IServerStreamWriter<DataChunk> responseStream, ServerCallContext context)
    {
        var input = Reading(request, out var path).OpenRead(path);
        await using (input.ConfigureAwait(false))
        {
            while (true)
            {
                // A fresh buffer per message, wrapped rather than copied: the message owns it once written.
                var buffer = new byte[options.StreamChunkSize];
                var filled = await FillAsync(input, buffer, context.CancellationToken).ConfigureAwait(false);
                if (filled == 0) break;
                var data = filled == buffer.Length ? UnsafeByteOperations.UnsafeWrap(buffer) : ByteString.CopyFrom(buffer, 0, filled);
                await responseStream.WriteAsync(new DataChunk { Data = data }, context.CancellationToken).ConfigureAwait(false);
                if (filled < buffer.Length) break;
            }
        }
    }

    /// <summary>
    /// Writes through a WorkspaceWriteStream and publishes only when the client's stream ends
    /// normally: a client that disconnects, cancels or sends a malformed message publishes
    /// nothing (the store's all-or-nothing write).
    /// </summary>
    public override async Task<Node> Write(IAsyncStreamReader<WriteRequest> requestStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken).ConfigureAwait(false) || requestStream.Current.PartCase != WriteRequest.PartOneofCase.Header)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a write starts with a header message"));
        var header = requestStream.Current.Header;
        var ws = store.OpenWorkspace(Required(header.Workspace, "workspace"));
        var output = header.Append
            ? await ws.OpenAppendAsync(Required(header.Path, "path"), cancellationToken).ConfigureAwait(false)
            : ws.OpenWrite(Required(header.Path, "path"));
        var ended = false;
        try
        {
            while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                if (requestStream.Current.PartCase != WriteRequest.PartOneofCase.Data)
                    throw new RpcException(new Status(StatusCode.InvalidArgument, "only data messages follow a write's header"));
                await output.WriteAsync(requestStream.Current.Data.Memory, cancellationToken).ConfigureAwait(false);
            }
            ended = true;
        }
        finally
        {
            if (!ended) output.Abort();
            await output.DisposeAsync().ConfigureAwait(false); // publishes, unless aborted
        }
        return Wire.ToWire(ws.Stat(header.Path));
    }

    public override Task<Empty> CreateDirectory(NodeRequest request, ServerCallContext context)
    {
        Writing(request.Workspace).CreateDirectory(Required(request.Path, "path"));
        return Task.FromResult(Nothing);
    }

    public override Task<Empty> Move(MoveRequest request, ServerCallContext context)
    {
        Writing(request.Workspace).Move(Required(request.From, "from"), Required(request.To, "to"));
        return Task.FromResult(Nothing);
    }

    public override Task<Empty> Delete(DeleteRequest request, ServerCallContext context)
    {
        Writing(request.Workspace).Delete(Required(request.Path, "path"), request.Recursive);
        return Task.FromResult(Nothing);
    }

    public override Task<Node> CreateSymbolicLink(LinkRequest request, ServerCallContext context) =>
        Task.FromResult(Wire.ToWire(Writing(request.Workspace).CreateSymbolicLink(Required(request.Path, "path"), request.Target)));

    public override Task<Node> SetUnixFileMode(SetModeRequest request, ServerCallContext context) =>
        Task.FromResult(Wire.ToWire(Writing(request.Workspace).SetUnixFileMode(Required(request.Path, "path"), (UnixFileMode)request.Mode)));

    public override Task<Node> SetLastWriteTime(SetTimeRequest request, ServerCallContext context) =>
        Task.FromResult(Wire.ToWire(Writing(request.Workspace).SetLastWriteTime(Required(request.Path, "path"), Time(request.Ticks, request.OffsetMinutes))));

    public override Task<Node> SetOwner(SetOwnerRequest request, ServerCallContext context) =>
        Task.FromResult(Wire.ToWire(Writing(request.Workspace).SetOwner(Required(request.Path, "path"), request.OwnerId, request.GroupId)));

    public override async Task<Empty> Truncate(TruncateRequest request, ServerCallContext context)
    {
        await Writing(request.Workspace).TruncateAsync(Required(request.Path, "path"), request.Length, context.CancellationToken).ConfigureAwait(false);
        return Nothing;
    }

    private Workspace Writing(string workspace) => store.OpenWorkspace(Required(workspace, "workspace"));

    /// <summary>The workspace or snapshot a read names.</summary>
    private ReadSide Reading(NodeRequest request, out string path)
    {
        path = Required(request.Path, "path");
        return request.TargetCase switch
        {
            NodeRequest.TargetOneofCase.Workspace => new ReadSide(store.OpenWorkspace(request.Workspace), null),
            NodeRequest.TargetOneofCase.Snapshot => new ReadSide(null, store.GetSnapshot(request.Snapshot)),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "a read names a workspace or a snapshot")),
        };
    }

    private static DateTimeOffset Time(long ticks, int offsetMinutes)
    {
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks || Math.Abs(offsetMinutes) > 14 * 60)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the time is out of range"));
        return Wire.Time(ticks, offsetMinutes);
    }

    private static async Task<int> FillAsync(Stream input, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await input.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }

    /// <summary>Reads from a workspace or a snapshot pin, whichever a request names.</summary>
    private readonly record struct ReadSide(Workspace? Workspace, SnapshotPin? Pin)
    {
        public NodeInfo Stat(string path) => Pin?.Stat(path) ?? Workspace!.Stat(path);
        public bool Exists(string path) => Pin?.Exists(path) ?? Workspace!.Exists(path);
        public Stream OpenRead(string path) => Pin?.OpenRead(path) ?? Workspace!.OpenRead(path);
        public IAsyncEnumerable<NodeInfo> EnumerateAsync(string path, CancellationToken cancellationToken) =>
            Pin?.EnumerateAsync(path, cancellationToken) ?? Workspace!.EnumerateAsync(path, cancellationToken);
    }
}
