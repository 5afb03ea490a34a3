namespace NoKV.Cli.Sessions;

/// <summary>
/// The store operations the commands use, in one place, so each command is written once and
/// runs either in this process (the store was free to open: <see cref="LocalSession"/>) or through
/// the owner's socket (another process has it open and serves it: <see cref="RemoteSession"/>),
/// with the same output, exit codes and errors.
/// </summary>
internal interface IStoreSession : IAsyncDisposable
{
    /// <summary>The store itself when this process opened it; null through the owner (import needs it).</summary>
    WorkspaceStore? LocalStore { get; }

    Task<IWorkspaceAccess> CreateWorkspaceAsync(string path, TimeSpan? timeToLive, CancellationToken cancellationToken);
    Task SetReadOnlyAsync(string path, bool readOnly, CancellationToken cancellationToken);
    Task SetExpiryAsync(string path, DateTimeOffset? expiresUtc, CancellationToken cancellationToken);
    Task<IWorkspaceAccess> OpenWorkspaceAsync(string path, CancellationToken cancellationToken);
    Task<IReadOnlyList<WorkspaceInfo>> ListWorkspacesAsync(CancellationToken cancellationToken);
    Task DeleteWorkspaceAsync(string path, CancellationToken cancellationToken);

    /// <summary>The workspace a store path is in, and the path inside it.</summary>
    Task<(IWorkspaceAccess Workspace, string Path)> LocateAsync(string storePath, CancellationToken cancellationToken);

    Task<ITreeAccess> GetSnapshotAsync(long snapshotId, CancellationToken cancellationToken);
    Task<SnapshotSummary> SnapshotAsync(string path, TimeSpan? timeToLive, CancellationToken cancellationToken);
    Task<IReadOnlyList<SnapshotSummary>> ListSnapshotsAsync(string? workspacePath, CancellationToken cancellationToken);
    Task ReleaseSnapshotAsync(long snapshotId, CancellationToken cancellationToken);

    /// <summary>Clones a store path, or a snapshot when <paramref name="snapshotId"/> is set.</summary>
    Task<CloneSummary> CloneAsync(string sourcePath, long? snapshotId, string targetPath, TimeSpan? timeToLive, CancellationToken cancellationToken);

    /// <summary>The diff of two sides, each a store path or (id set) a snapshot.</summary>
    Task<IReadOnlyList<SubtreeDelta>> DiffAsync((string Path, long? Snapshot) a, (string Path, long? Snapshot) b, CancellationToken cancellationToken);

    Task RollbackAsync(string targetPath, long snapshotId, CancellationToken cancellationToken);
    Task<PromoteResult> PromoteAsync(string forkPath, string targetPath, PromoteOptions options, CancellationToken cancellationToken);
    Task<GcReport> CollectGarbageAsync(GcMode mode, CancellationToken cancellationToken);
    Task<VerifyReport> VerifyAsync(CancellationToken cancellationToken);
}

/// <summary>A snapshot as the commands print it.</summary>
internal sealed record SnapshotSummary(long Id, string Root, long ReadVersion, DateTime CreatedUtc);

/// <summary>What a clone made, as the commands print it.</summary>
internal sealed record CloneSummary(string Root, long RootInode, long SnapshotId);

/// <summary>Reads a tree: a workspace or a snapshot.</summary>
internal interface ITreeAccess
{
    Task<NodeInfo> StatAsync(string path, CancellationToken cancellationToken);
    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken);
    Task<IReadOnlyList<NodeInfo>> ListAsync(string path, CancellationToken cancellationToken);
    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken);
}

/// <summary>A file being written, and how to make sure it is not published.</summary>
internal sealed record WriteTarget(Stream Stream, Action Abort);

/// <summary>Reads and changes a workspace.</summary>
internal interface IWorkspaceAccess : ITreeAccess
{
    string Path { get; }
    long RootInode { get; }
    Task<WriteTarget> OpenWriteAsync(string path, CancellationToken cancellationToken);
    Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
    Task CreateDirectoryAsync(string path, CancellationToken cancellationToken);
    Task MoveAsync(string from, string to, CancellationToken cancellationToken);
    Task DeleteAsync(string path, bool recursive, CancellationToken cancellationToken);
    Task CreateSymbolicLinkAsync(string path, string target, CancellationToken cancellationToken);
    Task SetUnixFileModeAsync(string path, UnixFileMode mode, CancellationToken cancellationToken);
    Task SetLastWriteTimeAsync(string path, DateTimeOffset time, CancellationToken cancellationToken);

    /// <summary>The in-process workspace (import needs it); null through the owner.</summary>
    Workspace? Local { get; }
}
