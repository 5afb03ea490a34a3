using Grpc.Core;
using NoKV.Protocol;

namespace NoKV.Server.Service;

internal sealed partial class StoreService
{
    public override Task<WorkspaceReply> CreateWorkspace(PathRequest request, ServerCallContext context)
    {
        var ws = store.CreateWorkspace(Required(request.Path, "path"), new WorkspaceOptions { TimeToLive = Wire.TtlFromWire(request.HasTtlTicks, request.TtlTicks) });
        return Task.FromResult(new WorkspaceReply { Path = ws.Path, RootInode = ws.RootInode });
    }

    public override Task<Empty> SetReadOnly(SetReadOnlyRequest request, ServerCallContext context)
    {
        store.SetReadOnly(Required(request.Path, "path"), request.ReadOnly);
        return Task.FromResult(Nothing);
    }

    public override Task<Empty> SetExpiry(SetExpiryRequest request, ServerCallContext context)
    {
        DateTimeOffset? at = request.HasExpiresTicks ? new DateTimeOffset(request.ExpiresTicks, TimeSpan.Zero) : null;
        if (request.Snapshot != 0) store.SetSnapshotExpiry(request.Snapshot, at);
        else store.SetExpiry(Required(request.Path, "path"), at);
        return Task.FromResult(Nothing);
    }

    public override Task<WorkspaceReply> OpenWorkspace(PathRequest request, ServerCallContext context)
    {
        var ws = store.OpenWorkspace(Required(request.Path, "path"));
        return Task.FromResult(new WorkspaceReply { Path = ws.Path, RootInode = ws.RootInode });
    }

    public override Task<BoolReply> WorkspaceExists(PathRequest request, ServerCallContext context) =>
        Task.FromResult(new BoolReply { Value = store.WorkspaceExists(Required(request.Path, "path")) });

    public override async Task ListWorkspaces(Empty request, IServerStreamWriter<WorkspaceReply> responseStream, ServerCallContext context)
    {
        await foreach (var info in store.EnumerateWorkspacesAsync(context.CancellationToken).ConfigureAwait(false))
            await responseStream.WriteAsync(Wire.ToWire(info), context.CancellationToken).ConfigureAwait(false);
    }

    public override Task<Empty> DeleteWorkspace(PathRequest request, ServerCallContext context)
    {
        store.DeleteWorkspace(Required(request.Path, "path"));
        return Task.FromResult(Nothing);
    }

    public override Task<LocateReply> Locate(PathRequest request, ServerCallContext context)
    {
        var located = store.Locate(Required(request.Path, "path"));
        return Task.FromResult(new LocateReply { Workspace = located.Workspace.Path, RootInode = located.Workspace.RootInode, Path = located.Path });
    }
}
