using NoKV.Client;

namespace NoKV.Cli.Sessions;

/// <summary>
/// The commands' operations through the owner's socket, when another process (nokv serve,
/// nokv mount, an application hosting NoKV) has the store open. The client rethrows the owner's
/// typed exceptions, so errors and exit codes are those of a local run.
/// </summary>
internal sealed class RemoteSession(NoKVClient client) : IStoreSession
{
    public WorkspaceStore? LocalStore => null;

    public async Task<IWorkspaceAccess> CreateWorkspaceAsync(string path, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
        new RemoteWorkspaceAccess(await client.CreateWorkspaceAsync(path, new WorkspaceOptions { TimeToLive = timeToLive }, cancellationToken).ConfigureAwait(false));

    public Task SetReadOnlyAsync(string path, bool readOnly, CancellationToken cancellationToken) => client.SetReadOnlyAsync(path, readOnly, cancellationToken);

    public Task SetExpiryAsync(string path, DateTimeOffset? expiresUtc, CancellationToken cancellationToken) => client.SetExpiryAsync(path, expiresUtc, cancellationToken);

    public async Task<IWorkspaceAccess> OpenWorkspaceAsync(string path, CancellationToken cancellationToken) =>
        new RemoteWorkspaceAccess(await client.OpenWorkspaceAsync(path, cancellationToken).ConfigureAwait(false));

    public Task<IReadOnlyList<WorkspaceInfo>> ListWorkspacesAsync(CancellationToken cancellationToken) => client.ListWorkspacesAsync(cancellationToken);

    public Task DeleteWorkspaceAsync(string path, CancellationToken cancellationToken) => client.DeleteWorkspaceAsync(path, cancellationToken);

    public async Task<(IWorkspaceAccess Workspace, string Path)> LocateAsync(string storePath, CancellationToken cancellationToken)
    {
        var located = await client.LocateAsync(storePath, cancellationToken).ConfigureAwait(false);
        return (new RemoteWorkspaceAccess(located.Workspace), located.Path);
    }

    public async Task<ITreeAccess> GetSnapshotAsync(long snapshotId, CancellationToken cancellationToken) =>
        new RemotePin(await client.GetSnapshotAsync(snapshotId, cancellationToken).ConfigureAwait(false));

    public async Task<SnapshotSummary> SnapshotAsync(string path, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
        Summary(await client.SnapshotAsync(path, new SnapshotOptions { TimeToLive = timeToLive }, cancellationToken).ConfigureAwait(false));

    public async Task<IReadOnlyList<SnapshotSummary>> ListSnapshotsAsync(string? workspacePath, CancellationToken cancellationToken)
    {
        var pins = workspacePath is null
            ? await client.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false)
            : await client.ListSnapshotsAsync(workspacePath, cancellationToken).ConfigureAwait(false);
        return pins.Select(Summary).ToList();
    }

    public Task ReleaseSnapshotAsync(long snapshotId, CancellationToken cancellationToken) => client.ReleaseSnapshotAsync(snapshotId, cancellationToken);

    public async Task<CloneSummary> CloneAsync(string sourcePath, long? snapshotId, string targetPath, TimeSpan? timeToLive, CancellationToken cancellationToken)
    {
        var options = new WorkspaceOptions { TimeToLive = timeToLive };
        var clone = snapshotId is { } id
            ? await client.CloneAsync(await client.GetSnapshotAsync(id, cancellationToken).ConfigureAwait(false), targetPath, options, cancellationToken).ConfigureAwait(false)
            : await client.CloneAsync(sourcePath, targetPath, options, cancellationToken).ConfigureAwait(false);
        return new CloneSummary(clone.Root, clone.RootInode, clone.SnapshotId);
    }

    public async Task<IReadOnlyList<SubtreeDelta>> DiffAsync((string Path, long? Snapshot) a, (string Path, long? Snapshot) b, CancellationToken cancellationToken)
    {
        var left = a.Snapshot is { } l ? await client.GetSnapshotAsync(l, cancellationToken).ConfigureAwait(false) : null;
        var right = b.Snapshot is { } r ? await client.GetSnapshotAsync(r, cancellationToken).ConfigureAwait(false) : null;
        var deltas = (left, right) switch
        {
            (null, null) => client.DiffAsync(a.Path, b.Path, cancellationToken),
            ({ } lp, null) => client.DiffAsync(lp, b.Path, cancellationToken),
            (null, { } rp) => client.DiffAsync(a.Path, rp, cancellationToken),
            ({ } lp, { } rp) => client.DiffAsync(lp, rp, cancellationToken),
        };
        var list = new List<SubtreeDelta>();
        await foreach (var delta in deltas.ConfigureAwait(false)) list.Add(delta);
        return list;
    }

    public Task RollbackAsync(string targetPath, long snapshotId, CancellationToken cancellationToken) => client.RollbackAsync(targetPath, snapshotId, cancellationToken);

    public Task<PromoteResult> PromoteAsync(string forkPath, string targetPath, PromoteOptions options, CancellationToken cancellationToken) =>
        client.PromoteAsync(forkPath, targetPath, options, cancellationToken);

    public Task<GcReport> CollectGarbageAsync(GcMode mode, CancellationToken cancellationToken) => client.CollectGarbageAsync(mode, cancellationToken);

    public Task<VerifyReport> VerifyAsync(CancellationToken cancellationToken) => client.VerifyAsync(cancellationToken: cancellationToken);

    public ValueTask DisposeAsync() => client.DisposeAsync();

    private static SnapshotSummary Summary(RemoteSnapshot pin) => new(pin.Id, pin.Root, pin.ReadVersion, pin.CreatedUtc);

    private sealed class RemotePin(RemoteSnapshot pin) : ITreeAccess
    {
        public Task<NodeInfo> StatAsync(string path, CancellationToken cancellationToken) => pin.StatAsync(path, cancellationToken);
        public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken) => pin.ExistsAsync(path, cancellationToken);
        public Task<IReadOnlyList<NodeInfo>> ListAsync(string path, CancellationToken cancellationToken) => pin.ListAsync(path, cancellationToken);
        public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken) => pin.OpenReadAsync(path, cancellationToken);
    }

    private sealed class RemoteWorkspaceAccess(RemoteWorkspace ws) : IWorkspaceAccess
    {
        public string Path => ws.Path;
        public long RootInode => ws.RootInode;
        public Workspace? Local => null;
        public Task<NodeInfo> StatAsync(string path, CancellationToken cancellationToken) => ws.StatAsync(path, cancellationToken);
        public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken) => ws.ExistsAsync(path, cancellationToken);
        public Task<IReadOnlyList<NodeInfo>> ListAsync(string path, CancellationToken cancellationToken) => ws.ListAsync(path, cancellationToken);
        public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken) => ws.OpenReadAsync(path, cancellationToken);

        public async Task<WriteTarget> OpenWriteAsync(string path, CancellationToken cancellationToken)
        {
            var stream = await ws.OpenWriteAsync(path, cancellationToken).ConfigureAwait(false);
            return new WriteTarget(stream, stream.Abort);
        }

        public Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ws.WriteAllBytesAsync(path, data, cancellationToken);
        public Task CreateDirectoryAsync(string path, CancellationToken cancellationToken) => ws.CreateDirectoryAsync(path, cancellationToken);
        public Task MoveAsync(string from, string to, CancellationToken cancellationToken) => ws.MoveAsync(from, to, cancellationToken);
        public Task DeleteAsync(string path, bool recursive, CancellationToken cancellationToken) => ws.DeleteAsync(path, recursive, cancellationToken);
        public Task CreateSymbolicLinkAsync(string path, string target, CancellationToken cancellationToken) => ws.CreateSymbolicLinkAsync(path, target, cancellationToken);
        public Task SetUnixFileModeAsync(string path, UnixFileMode mode, CancellationToken cancellationToken) => ws.SetUnixFileModeAsync(path, mode, cancellationToken);
        public Task SetLastWriteTimeAsync(string path, DateTimeOffset time, CancellationToken cancellationToken) => ws.SetLastWriteTimeAsync(path, time, cancellationToken);
    }
}
