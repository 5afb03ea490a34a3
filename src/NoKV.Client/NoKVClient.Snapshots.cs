using NoKV.Protocol;

namespace NoKV.Client;

public sealed partial class NoKVClient
{
    /// <summary>Pins the current state of a workspace or a directory in one (<see cref="WorkspaceStore.Snapshot(string)"/>).</summary>
    public Task<RemoteSnapshot> SnapshotAsync(string path, CancellationToken cancellationToken = default) => SnapshotAsync(path, null, cancellationToken);

    /// <summary>A snapshot with settings (a time-to-live; <see cref="WorkspaceStore.Snapshot(string, SnapshotOptions?)"/>).</summary>
    public async Task<RemoteSnapshot> SnapshotAsync(string path, SnapshotOptions? options, CancellationToken cancellationToken = default) =>
        new(_calls, await _calls.UnaryAsync(o => _calls.Stub.SnapshotAsync(WithTtl(new PathRequest { Path = path ?? "" }, options?.TimeToLive), o), cancellationToken).ConfigureAwait(false));

    private static PathRequest WithTtl(PathRequest request, TimeSpan? timeToLive)
    {
        if (timeToLive is { } ttl) request.TtlTicks = ttl.Ticks;
        return request;
    }

    /// <summary>Sets or clears when a snapshot expires (<see cref="WorkspaceStore.SetSnapshotExpiry"/>).</summary>
    public Task SetSnapshotExpiryAsync(long snapshotId, DateTimeOffset? expiresUtc, CancellationToken cancellationToken = default)
    {
        var request = new SetExpiryRequest { Snapshot = snapshotId };
        if (expiresUtc is { } at) request.ExpiresTicks = at.UtcTicks;
        return _calls.UnaryAsync(o => _calls.Stub.SetExpiryAsync(request, o), cancellationToken);
    }

    /// <summary>An unreleased snapshot by id (<see cref="WorkspaceStore.GetSnapshot"/>).</summary>
    /// <exception cref="SnapshotNotFoundException">No such snapshot, or it was released.</exception>
    public async Task<RemoteSnapshot> GetSnapshotAsync(long snapshotId, CancellationToken cancellationToken = default) =>
        new(_calls, await _calls.UnaryAsync(o => _calls.Stub.GetSnapshotAsync(new SnapshotRequest { Id = snapshotId }, o), cancellationToken).ConfigureAwait(false));

    /// <summary>Every unreleased snapshot (<see cref="WorkspaceStore.ListSnapshots()"/>).</summary>
    public Task<IReadOnlyList<RemoteSnapshot>> ListSnapshotsAsync(CancellationToken cancellationToken = default) =>
        ToListAsync(_calls.StreamAsync(o => _calls.Stub.ListSnapshots(new ListSnapshotsRequest(), o), s => new RemoteSnapshot(_calls, s), cancellationToken));

    /// <summary>The unreleased snapshots of one workspace (<see cref="WorkspaceStore.ListSnapshots(string)"/>).</summary>
    public Task<IReadOnlyList<RemoteSnapshot>> ListSnapshotsAsync(string workspacePath, CancellationToken cancellationToken = default) =>
        ToListAsync(_calls.StreamAsync(o => _calls.Stub.ListSnapshots(new ListSnapshotsRequest { Workspace = workspacePath ?? "" }, o), s => new RemoteSnapshot(_calls, s), cancellationToken));

    /// <summary>Releases a snapshot (<see cref="WorkspaceStore.ReleaseSnapshot"/>).</summary>
    public Task ReleaseSnapshotAsync(long snapshotId, CancellationToken cancellationToken = default) =>
        _calls.UnaryAsync(o => _calls.Stub.ReleaseSnapshotAsync(new SnapshotRequest { Id = snapshotId }, o), cancellationToken);

    /// <summary>A new workspace from a live workspace or a directory in one (<see cref="WorkspaceStore.Clone(string, string)"/>).</summary>
    public Task<RemoteClone> CloneAsync(string sourcePath, string targetPath, CancellationToken cancellationToken = default) =>
        CloneAsync(sourcePath, targetPath, null, cancellationToken);

    /// <summary>A clone with settings (a time-to-live; <see cref="WorkspaceStore.Clone(string, string, WorkspaceOptions?)"/>).</summary>
    public Task<RemoteClone> CloneAsync(string sourcePath, string targetPath, WorkspaceOptions? options, CancellationToken cancellationToken = default) =>
        CloneAsync(new TreeRef { Path = sourcePath ?? "" }, targetPath, options, cancellationToken);

    /// <summary>A new workspace from a snapshot (<see cref="WorkspaceStore.Clone(SnapshotPin, string)"/>).</summary>
    public Task<RemoteClone> CloneAsync(RemoteSnapshot source, string targetPath, CancellationToken cancellationToken = default) =>
        CloneAsync(source, targetPath, null, cancellationToken);

    /// <summary>A clone of a snapshot with settings (a time-to-live).</summary>
    public Task<RemoteClone> CloneAsync(RemoteSnapshot source, string targetPath, WorkspaceOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return CloneAsync(new TreeRef { Snapshot = source.Id }, targetPath, options, cancellationToken);
    }

    private async Task<RemoteClone> CloneAsync(TreeRef source, string targetPath, WorkspaceOptions? options, CancellationToken cancellationToken)
    {
        var request = new CloneRequest { Source = source, Target = targetPath ?? "" };
        if (options?.TimeToLive is { } ttl) request.TtlTicks = ttl.Ticks;
        var reply = await _calls.UnaryAsync(o => _calls.Stub.CloneAsync(request, o), cancellationToken).ConfigureAwait(false);
        return new RemoteClone(reply.Root, reply.RootInode, reply.SnapshotId, new RemoteWorkspace(_calls, reply.Root, reply.RootInode));
    }

    /// <summary>What differs between two subtrees, streamed (<see cref="WorkspaceStore.Diff(string, string, CancellationToken)"/>).</summary>
    public IAsyncEnumerable<SubtreeDelta> DiffAsync(string a, string b, CancellationToken cancellationToken = default) =>
        DiffAsync(new TreeRef { Path = a ?? "" }, new TreeRef { Path = b ?? "" }, cancellationToken);

    /// <summary>What differs between a snapshot and a subtree, streamed.</summary>
    public IAsyncEnumerable<SubtreeDelta> DiffAsync(RemoteSnapshot a, string b, CancellationToken cancellationToken = default) =>
        DiffAsync(Ref(a), new TreeRef { Path = b ?? "" }, cancellationToken);

    /// <summary>What differs between a subtree and a snapshot, streamed.</summary>
    public IAsyncEnumerable<SubtreeDelta> DiffAsync(string a, RemoteSnapshot b, CancellationToken cancellationToken = default) =>
        DiffAsync(new TreeRef { Path = a ?? "" }, Ref(b), cancellationToken);

    /// <summary>What differs between two snapshots, streamed.</summary>
    public IAsyncEnumerable<SubtreeDelta> DiffAsync(RemoteSnapshot a, RemoteSnapshot b, CancellationToken cancellationToken = default) =>
        DiffAsync(Ref(a), Ref(b), cancellationToken);

    private IAsyncEnumerable<SubtreeDelta> DiffAsync(TreeRef a, TreeRef b, CancellationToken cancellationToken) =>
        _calls.StreamAsync(o => _calls.Stub.Diff(new DiffRequest { A = a, B = b }, o), Wire.FromWire, cancellationToken);

    private static TreeRef Ref(RemoteSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new TreeRef { Snapshot = snapshot.Id };
    }

    /// <summary>Makes a workspace (or a directory in one) exactly a snapshot again (<see cref="WorkspaceStore.Rollback"/>).</summary>
    public Task RollbackAsync(string targetPath, long snapshotId, CancellationToken cancellationToken = default) =>
        _calls.UnaryAsync(o => _calls.Stub.RollbackAsync(new RollbackRequest { Target = targetPath ?? "", SnapshotId = snapshotId }, o), cancellationToken);

    /// <summary>Merges a fork's changes into the tree it was cloned from (<see cref="WorkspaceStore.Promote"/>).</summary>
    public async Task<PromoteResult> PromoteAsync(string forkPath, string targetPath, PromoteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new PromoteRequest { Fork = forkPath ?? "", Target = targetPath ?? "", Strategy = (int)(options?.Strategy ?? PromoteStrategy.FailOnConflict) };
        return Wire.FromWire(await _calls.UnaryAsync(o => _calls.Stub.PromoteAsync(request, o), cancellationToken).ConfigureAwait(false));
    }
}
