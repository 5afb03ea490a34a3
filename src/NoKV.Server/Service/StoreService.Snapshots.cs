using Grpc.Core;
using NoKV.Protocol;

namespace NoKV.Server.Service;

internal sealed partial class StoreService
{
    public override Task<SnapshotReply> Snapshot(PathRequest request, ServerCallContext context) =>
        Task.FromResult(ToWire(store.Snapshot(Required(request.Path, "path"), new SnapshotOptions { TimeToLive = Wire.TtlFromWire(request.HasTtlTicks, request.TtlTicks) })));

    public override Task<SnapshotReply> GetSnapshot(SnapshotRequest request, ServerCallContext context) =>
        Task.FromResult(ToWire(store.GetSnapshot(request.Id)));

    public override async Task ListSnapshots(ListSnapshotsRequest request, IServerStreamWriter<SnapshotReply> responseStream, ServerCallContext context)
    {
        var pins = request.HasWorkspace ? store.ListSnapshots(request.Workspace) : store.ListSnapshots();
        foreach (var pin in pins) await responseStream.WriteAsync(ToWire(pin), context.CancellationToken).ConfigureAwait(false);
    }

    public override Task<Empty> ReleaseSnapshot(SnapshotRequest request, ServerCallContext context)
    {
        store.ReleaseSnapshot(request.Id);
        return Task.FromResult(Nothing);
    }

    public override Task<CloneReply> Clone(CloneRequest request, ServerCallContext context)
    {
        var target = Required(request.Target, "target");
        var options = new WorkspaceOptions { TimeToLive = Wire.TtlFromWire(request.HasTtlTicks, request.TtlTicks) };
        var handle = request.Source?.RefCase switch
        {
            TreeRef.RefOneofCase.Path => store.Clone(request.Source.Path, target, options),
            TreeRef.RefOneofCase.Snapshot => store.Clone(store.GetSnapshot(request.Source.Snapshot), target, options),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "a clone needs a source path or snapshot")),
        };
        return Task.FromResult(new CloneReply { Root = handle.Root, RootInode = handle.RootInode, SnapshotId = handle.SnapshotId });
    }

    /// <summary>Streams the delta, one message per changed path.</summary>
    public override async Task Diff(DiffRequest request, IServerStreamWriter<Delta> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var a = Side(request.A, "a");
        var b = Side(request.B, "b");
        var deltas = (a, b) switch
        {
            (SnapshotPin l, SnapshotPin r) => store.Diff(l, r, cancellationToken),
            (SnapshotPin l, string r) => store.Diff(l, r, cancellationToken),
            (string l, SnapshotPin r) => store.Diff(l, r, cancellationToken),
            _ => store.Diff((string)a, (string)b, cancellationToken),
        };
        foreach (var delta in deltas) await responseStream.WriteAsync(Wire.ToWire(delta), cancellationToken).ConfigureAwait(false);
    }

    public override Task<Empty> Rollback(RollbackRequest request, ServerCallContext context)
    {
        store.Rollback(Required(request.Target, "target"), request.SnapshotId);
        return Task.FromResult(Nothing);
    }

    public override Task<PromoteReply> Promote(PromoteRequest request, ServerCallContext context)
    {
        var options = new PromoteOptions { Strategy = Enum<PromoteStrategy>(request.Strategy) };
        var result = store.Promote(Required(request.Fork, "fork"), Required(request.Target, "target"), options, context.CancellationToken);
        return Task.FromResult(Wire.ToWire(result));
    }

    /// <summary>A diff side: a store path (string) or a snapshot pin.</summary>
    private object Side(TreeRef? side, string name) => side?.RefCase switch
    {
        TreeRef.RefOneofCase.Path => side.Path,
        TreeRef.RefOneofCase.Snapshot => store.GetSnapshot(side.Snapshot),
        _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"diff side {name} needs a path or a snapshot")),
    };

    private static SnapshotReply ToWire(SnapshotPin pin)
    {
        var wire = new SnapshotReply
        {
            Id = pin.Id,
            Root = pin.Root,
            WorkspacePath = pin.WorkspacePath,
            ReadVersion = pin.ReadVersion,
            RootInode = pin.RootInode,
            CreatedTicks = pin.CreatedUtc.Ticks,
        };
        if (pin.ExpiresUtc is { } expires) wire.ExpiresTicks = expires.Ticks;
        return wire;
    }
}
