using NoKV.Mount.Session;

namespace NoKV;

/// <summary>
/// A workspace (or snapshot) mounted as a real directory through FUSE. Every file a process
/// writes there becomes a new version of that file in the workspace when it is closed (or
/// fsync'd): one version per close, not one per write(2). Unmount with <see cref="UnmountAsync"/>
/// or by disposing; an external <c>umount DIR</c> ends it too (<see cref="Completion"/>).
/// </summary>
public sealed class WorkspaceMount : IAsyncDisposable
{
    private readonly FuseSession _session;
    private readonly IDisposable _hold;

    // hold: keeps expiry off the mounted workspace or snapshot; released once the mount is gone.
    internal WorkspaceMount(FuseSession session, string directory, string workspacePath, bool isReadOnly, IDisposable hold)
    {
        _session = session;
        _hold = hold;
        Directory = directory;
        WorkspacePath = workspacePath;
        IsReadOnly = isReadOnly;
    }

    /// <summary>The mount point (a full path).</summary>
    public string Directory { get; }

    /// <summary>The workspace mounted (for a snapshot: the path it was taken of).</summary>
    public string WorkspacePath { get; }

    /// <summary>True for a read-only mount (a snapshot, or <see cref="MountOptions.ReadOnly"/>).</summary>
    public bool IsReadOnly { get; }

    /// <summary>
    /// Completes once the mount is gone, however it went (<see cref="UnmountAsync"/>, an external
    /// umount, the connection aborted) and every file still held open in it has been published.
    /// </summary>
    public Task Completion => _session.Completion;

    /// <summary>
    /// Publishes every file written and not yet closed, then unmounts. If processes still use the
    /// directory, it is detached (lazily unmounted) and their open files fail from then on. Safe
    /// to call more than once.
    /// </summary>
    public async Task UnmountAsync()
    {
        await _session.UnmountAsync().ConfigureAwait(false);
        _hold.Dispose(); // here too, not only when Completion's continuation runs: a GC right after sees it released
    }

    /// <summary>Unmounts (see <see cref="UnmountAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await UnmountAsync().ConfigureAwait(false);

    /// <inheritdoc />
    public override string ToString() => $"{WorkspacePath} at {Directory}";
}
