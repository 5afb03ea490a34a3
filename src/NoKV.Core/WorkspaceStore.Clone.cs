using NoKV.Diagnostics;
using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV;

public sealed partial class WorkspaceStore
{
    /// <summary>
    /// Creates a writable workspace at <paramref name="targetPath"/> that starts as an exact view of
    /// a workspace or a directory inside one, sharing every block. Takes a snapshot of the source
    /// (returned as <see cref="CloneHandle.SnapshotId"/>). O(1) in the size of the tree.
    /// </summary>
    /// <exception cref="WorkspaceNotFoundException">No workspace holds the source path.</exception>
    /// <exception cref="WorkspaceAlreadyExistsException">The target exists.</exception>
    /// <exception cref="WorkspaceNestingException">The target is inside or above another workspace.</exception>
    public CloneHandle Clone(string sourcePath, string targetPath) => Clone(sourcePath, targetPath, options: null);

    /// <inheritdoc cref="Clone(string, string)"/>
    /// <param name="sourcePath">The workspace, or a directory inside one, to clone.</param>
    /// <param name="targetPath">The new workspace's path.</param>
    /// <param name="options">The new workspace's settings (a time-to-live: when expiry drops the clone, it releases the clone's snapshot of the source too); null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">The time-to-live is out of range.</exception>
    public CloneHandle Clone(string sourcePath, string targetPath, WorkspaceOptions? options)
    {
        using var op = Telemetry.Start(StoreOperation.Clone, sourcePath);
        ArgumentNullException.ThrowIfNull(sourcePath);
        var target = NormalizeWorkspacePath(targetPath, nameof(targetPath));
        var expires = Expiry.ExpiryRules.TicksAfter(options?.TimeToLive, Clock, nameof(options));
        var (id, rootInode, pinId) = WriteDurably(txn =>
        {
            var (wsPath, ws, inner) = FindWorkspace(txn, sourcePath, nameof(sourcePath));
            EnsureWorkspacePathFree(txn, target);
            var pin = CreatePin(txn, wsPath, ws, inner);
            var record = GetPin(txn, pin.Id);
            return (CreateCloneWorkspace(txn, target, record, expires, originPin: pin.Id), record.RootInode, pin.Id);
        });
        return op.Complete(new CloneHandle(target, rootInode, pinId, new Workspace(this, target, id, rootInode)));
    }

    /// <summary>Creates a writable workspace at <paramref name="targetPath"/> that starts as an exact view of a snapshot. O(1).</summary>
    /// <exception cref="SnapshotNotFoundException">The snapshot was released.</exception>
    public CloneHandle Clone(SnapshotPin source, string targetPath) => Clone(source, targetPath, options: null);

    /// <inheritdoc cref="Clone(SnapshotPin, string)"/>
    /// <param name="source">The snapshot to clone (it keeps its own expiry, if any: the clone does not depend on it).</param>
    /// <param name="targetPath">The new workspace's path.</param>
    /// <param name="options">The new workspace's settings (a time-to-live); null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">The time-to-live is out of range.</exception>
    public CloneHandle Clone(SnapshotPin source, string targetPath, WorkspaceOptions? options)
    {
        using var op = Telemetry.Start(StoreOperation.Clone, source?.Root);
        ArgumentNullException.ThrowIfNull(source);
        var target = NormalizeWorkspacePath(targetPath, nameof(targetPath));
        var expires = Expiry.ExpiryRules.TicksAfter(options?.TimeToLive, Clock, nameof(options));
        var (id, rootInode) = WriteDurably(txn =>
        {
            var pin = GetPin(txn, source.Id);
            EnsureWorkspacePathFree(txn, target);
            return (CreateCloneWorkspace(txn, target, pin, expires, originPin: 0), pin.RootInode);
        });
        return op.Complete(new CloneHandle(target, rootInode, source.Id, new Workspace(this, target, id, rootInode)));
    }

    // originPin: the snapshot the clone took itself (released with it when it expires); 0 for a caller's snapshot.
    private long CreateCloneWorkspace(MetaTxn txn, string target, PinRecord pin, long expiresUtcTicks, long originPin)
    {
        var id = Counters.Next(txn, Counters.Workspace);
        var head = LayerTable.Create(txn, pin.Layer, headOf: id);
        var ws = new WorkspaceRecord(id, pin.RootInode, head, NextVersion(txn), NowTicks, ExpiresUtcTicks: expiresUtcTicks, OriginPin: originPin);
        txn.Put(Db.Workspaces, PathKey(target), ws.Encode());
        return id;
    }
}
