namespace NoKV.Cli.Sessions;

/// <summary>The commands' operations on a store this process opened (the usual case).</summary>
internal sealed class LocalSession(WorkspaceStore store) : IStoreSession
{
    public WorkspaceStore? LocalStore => store;

    public Task<IWorkspaceAccess> CreateWorkspaceAsync(string path, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
        Task.FromResult<IWorkspaceAccess>(new LocalWorkspace(store.CreateWorkspace(path, new WorkspaceOptions { TimeToLive = timeToLive })));

    public Task SetReadOnlyAsync(string path, bool readOnly, CancellationToken cancellationToken)
    {
        store.SetReadOnly(path, readOnly);
        return Task.CompletedTask;
    }

    public Task SetExpiryAsync(string path, DateTimeOffset? expiresUtc, CancellationToken cancellationToken)
    {
        store.SetExpiry(path, expiresUtc);
        return Task.CompletedTask;
    }

    public Task<IWorkspaceAccess> OpenWorkspaceAsync(string path, CancellationToken cancellationToken) =>
        Task.FromResult<IWorkspaceAccess>(new LocalWorkspace(store.OpenWorkspace(path)));

    public Task<IReadOnlyList<WorkspaceInfo>> ListWorkspacesAsync(CancellationToken cancellationToken) => Task.FromResult(store.ListWorkspaces());

    public Task DeleteWorkspaceAsync(string path, CancellationToken cancellationToken)
    {
        store.DeleteWorkspace(path);
        return Task.CompletedTask;
    }

    public Task<(IWorkspaceAccess Workspace, string Path)> LocateAsync(string storePath, CancellationToken cancellationToken)
    {
        var located = store.Locate(storePath);
        return Task.FromResult<(IWorkspaceAccess, string)>((new LocalWorkspace(located.Workspace), located.Path));
    }

    public Task<ITreeAccess> GetSnapshotAsync(long snapshotId, CancellationToken cancellationToken) =>
        Task.FromResult<ITreeAccess>(new LocalPin(store.GetSnapshot(snapshotId)));

    public Task<SnapshotSummary> SnapshotAsync(string path, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
        Task.FromResult(Summary(store.Snapshot(path, new SnapshotOptions { TimeToLive = timeToLive })));

    public Task<IReadOnlyList<SnapshotSummary>> ListSnapshotsAsync(string? workspacePath, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SnapshotSummary>>((workspacePath is null ? store.ListSnapshots() : store.ListSnapshots(workspacePath)).Select(Summary).ToList());

    public Task ReleaseSnapshotAsync(long snapshotId, CancellationToken cancellationToken)
    {
        store.ReleaseSnapshot(snapshotId);
        return Task.CompletedTask;
    }

    public Task<CloneSummary> CloneAsync(string sourcePath, long? snapshotId, string targetPath, TimeSpan? timeToLive, CancellationToken cancellationToken)
    {
        var options = new WorkspaceOptions { TimeToLive = timeToLive };
        var handle = snapshotId is { } id ? store.Clone(store.GetSnapshot(id), targetPath, options) : store.Clone(sourcePath, targetPath, options);
        return Task.FromResult(new CloneSummary(handle.Root, handle.RootInode, handle.SnapshotId));
    }

    public Task<IReadOnlyList<SubtreeDelta>> DiffAsync((string Path, long? Snapshot) a, (string Path, long? Snapshot) b, CancellationToken cancellationToken)
    {
        var left = a.Snapshot is { } l ? store.GetSnapshot(l) : null;
        var right = b.Snapshot is { } r ? store.GetSnapshot(r) : null;
        return Task.FromResult((left, right) switch
        {
            (null, null) => store.Diff(a.Path, b.Path, cancellationToken),
            ({ } lp, null) => store.Diff(lp, b.Path, cancellationToken),
            (null, { } rp) => store.Diff(a.Path, rp, cancellationToken),
            ({ } lp, { } rp) => store.Diff(lp, rp, cancellationToken),
        });
    }

    public Task RollbackAsync(string targetPath, long snapshotId, CancellationToken cancellationToken)
    {
        store.Rollback(targetPath, snapshotId);
        return Task.CompletedTask;
    }

    public Task<PromoteResult> PromoteAsync(string forkPath, string targetPath, PromoteOptions options, CancellationToken cancellationToken) =>
        Task.FromResult(store.Promote(forkPath, targetPath, options, cancellationToken));

    public Task<GcReport> CollectGarbageAsync(GcMode mode, CancellationToken cancellationToken) => store.CollectGarbageAsync(mode, cancellationToken);

    public Task<VerifyReport> VerifyAsync(CancellationToken cancellationToken) => store.VerifyAsync(cancellationToken: cancellationToken);

    public ValueTask DisposeAsync() => store.DisposeAsync();

    private static SnapshotSummary Summary(SnapshotPin pin) => new(pin.Id, pin.Root, pin.ReadVersion, pin.CreatedUtc);

    private sealed class LocalPin(SnapshotPin pin) : ITreeAccess
    {
        public Task<NodeInfo> StatAsync(string path, CancellationToken cancellationToken) => Task.FromResult(pin.Stat(path));
        public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken) => Task.FromResult(pin.Exists(path));
        public Task<IReadOnlyList<NodeInfo>> ListAsync(string path, CancellationToken cancellationToken) => Task.FromResult(pin.List(path));
        public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken) => Task.FromResult(pin.OpenRead(path));
    }

    private sealed class LocalWorkspace(Workspace ws) : IWorkspaceAccess
    {
        public string Path => ws.Path;
        public long RootInode => ws.RootInode;
        public Workspace? Local => ws;
        public Task<NodeInfo> StatAsync(string path, CancellationToken cancellationToken) => Task.FromResult(ws.Stat(path));
        public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken) => Task.FromResult(ws.Exists(path));
        public Task<IReadOnlyList<NodeInfo>> ListAsync(string path, CancellationToken cancellationToken) => Task.FromResult(ws.List(path));
        public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken) => Task.FromResult(ws.OpenRead(path));

        public Task<WriteTarget> OpenWriteAsync(string path, CancellationToken cancellationToken)
        {
            var stream = ws.OpenWrite(path);
            return Task.FromResult(new WriteTarget(stream, stream.Abort));
        }

        public Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ws.WriteAllBytesAsync(path, data, cancellationToken);

        public Task CreateDirectoryAsync(string path, CancellationToken cancellationToken)
        {
            ws.CreateDirectory(path);
            return Task.CompletedTask;
        }

        public Task MoveAsync(string from, string to, CancellationToken cancellationToken)
        {
            ws.Move(from, to);
            return Task.CompletedTask;
        }

        public Task DeleteAsync(string path, bool recursive, CancellationToken cancellationToken)
        {
            ws.Delete(path, recursive);
            return Task.CompletedTask;
        }

        public Task CreateSymbolicLinkAsync(string path, string target, CancellationToken cancellationToken)
        {
            ws.CreateSymbolicLink(path, target);
            return Task.CompletedTask;
        }

        public Task SetUnixFileModeAsync(string path, UnixFileMode mode, CancellationToken cancellationToken)
        {
            ws.SetUnixFileMode(path, mode);
            return Task.CompletedTask;
        }

        public Task SetLastWriteTimeAsync(string path, DateTimeOffset time, CancellationToken cancellationToken)
        {
            ws.SetLastWriteTime(path, time);
            return Task.CompletedTask;
        }
    }
}
