using NoKV.Engine;
using NoKV.Mount.Protocol;

namespace NoKV.Mount.FileSystem;

/// <summary>
/// Changes made beside the mount (the <see cref="NoKV.Workspace"/> API, a rollback, a promote
/// into the workspace, another mount of it) drop what the kernel cached of them before the call
/// that made them returns: FUSE_NOTIFY_INVAL_ENTRY for each name written, INVAL_INODE (with the
/// cached pages) for each node, and for a whole-tree change every name and node the kernel was
/// told about. The mount's own changes went through the kernel, which keeps its caches right.
/// </summary>
internal sealed partial class MountedFileSystem
{
    /// <summary>The mount whose request (or unmount) the current flow is serving: its own changes need no notice.</summary>
    private static readonly AsyncLocal<MountedFileSystem?> s_serving = new();

    private readonly KernelCache _cache = new();
    private IDisposable? _subscription;

    /// <summary>Listens for changes to the store (and its closing, which runs <paramref name="unmountAsync"/>) from now until <see cref="Unsubscribe"/>.</summary>
    public void Subscribe(Func<Task> unmountAsync) => _subscription = _store.Changes.Subscribe(OnChanged, unmountAsync);

    public void Unsubscribe() => _subscription?.Dispose();

    private void OnChanged(WorkspaceChange change)
    {
        var serving = s_serving.Value;
        if (serving == this || Connection is null || View.Workspace is not { } ws || !change.Touches(ws.Path)) return;
        if (serving is null)
        {
            // A caller outside any mount (the Workspace API, a rollback): the notices go out on its
            // thread, so the change is invisible to the kernel's caches once its call returns.
            Invalidate(change);
            return;
        }
        // Another mount's request made the change: the kernel may hold a notice until a request
        // completes, so it must not wait on that request's thread.
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Self.Invalidate(state.Change), (Self: this, Change: change), preferLocal: false);
    }

    private void Invalidate(WorkspaceChange change)
    {
        var connection = Connection;
        if (connection is null) return;
        try
        {
            if (change.Everything)
            {
                var (entries, nodes) = _cache.TakeAll();
                foreach (var (parent, name) in entries) connection.InvalidateEntry(parent, name);
                foreach (var node in nodes) connection.InvalidateInode(node, withData: true);
                connection.InvalidateInode(FuseConstants.RootId, withData: true);
                return;
            }
            foreach (var ino in change.Inodes!)
            {
                _cache.Dropped(ino);
                if (KernelNodeOf(ino) is { } node) connection.InvalidateInode(node, withData: true);
            }
            var parents = new HashSet<ulong>();
            foreach (var (parent, name) in change.Entries!)
            {
                if (KernelNodeOf(parent) is not { } node) continue;
                connection.InvalidateEntry(node, name);
                parents.Add(node);
            }
            // The directories' cached listings.
            foreach (var parent in parents) connection.InvalidateInode(parent, withData: true);
        }
        catch (Exception e)
        {
            // A notice that cannot be sent (the mount is going away) must not fail the caller's change.
            MountLog.InvalidationFailed(Logger, e, Name);
        }
    }

    /// <summary>The kernel node id of an inode, or null for the one inode no node id can stand for.</summary>
    private ulong? KernelNodeOf(long ino) =>
        ino == View.RootInode ? FuseConstants.RootId : ino == (long)FuseConstants.RootId || ino <= 0 ? null : (ulong)ino;
}
