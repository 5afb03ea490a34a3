using NoKV.Diagnostics;
using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Namespace;

namespace NoKV;

public sealed partial class WorkspaceStore
{
    /// <summary>
    /// Makes a workspace's content, or a directory's inside it, exactly a snapshot's again, in one
    /// transaction. A workspace root gets a fresh head on top of the snapshot's layer: O(1),
    /// keeping the workspace's path and root inode. A directory inside a workspace gets the
    /// reverse delta written into the head: O(changes), keeping the directory's path and inode.
    /// What only the discarded state reached becomes garbage; restored files share their blocks.
    /// </summary>
    /// <param name="targetPath">A workspace root ("/forks/a") or a directory inside one ("/forks/a/src").</param>
    /// <param name="snapshotId">A snapshot of the same directory: taken of it, of the workspace it was cloned from, or of a clone of it.</param>
    /// <exception cref="WorkspaceNotFoundException">No workspace holds the path.</exception>
    /// <exception cref="SnapshotNotFoundException">The snapshot was released.</exception>
    /// <exception cref="ReadOnlyWorkspaceException">The workspace is read-only.</exception>
    /// <exception cref="UnrelatedSnapshotException">The snapshot's root is not the target directory (or its lineage).</exception>
    /// <exception cref="PathLimitExceededException">The directory now lies deeper than where the snapshot was taken, and a restored node would land beyond the path limits; nothing changed.</exception>
    public void Rollback(string targetPath, long snapshotId) => Rollback(targetPath, snapshotId, expectedWorkspaceId: 0);

    /// <summary>A rollback through a <see cref="Workspace"/> handle: only of the workspace the handle was opened on.</summary>
    internal void Rollback(string targetPath, long snapshotId, long expectedWorkspaceId)
    {
        using var op = Telemetry.Start(StoreOperation.Rollback, targetPath).SetTag("nokv.snapshot.id", snapshotId);
        ArgumentNullException.ThrowIfNull(targetPath);
        op.Complete(Write(txn =>
        {
            var (wsPath, ws, inner) = FindWorkspace(txn, targetPath, nameof(targetPath), expectedWorkspaceId);
            Writable(ws, wsPath);
            var pin = GetPin(txn, snapshotId);
            if (inner.Length != 0)
            {
                RollbackSubtree(txn, ws, inner, targetPath, pin, snapshotId);
                return true;
            }
            // Workspace root inodes are allocated once per CreateWorkspace and inherited by
            // clones, so an equal root inode means "same lineage, same root".
            if (pin.RootInode != ws.RootInode) throw new UnrelatedSnapshotException(targetPath, snapshotId);

            var head = LayerTable.Create(txn, pin.Layer, headOf: ws.Id);
            RetireHead(txn, ws.HeadLayer);
            txn.Put(Db.Workspaces, PathKey(wsPath), (ws with { HeadLayer = head }).Encode());
            NextVersion(txn);
            return true;
        }));
        Changes.RaiseEverything(targetPath); // a mount drops what the kernel cached
    }

    private void RollbackSubtree(MetaTxn txn, WorkspaceRecord ws, string[] inner, string targetPath, PinRecord pin, long snapshotId)
    {
        var writer = new HeadWriter(txn, HeadView(txn, ws));
        var target = Engine.NamespaceTree.ResolveDirectory(txn, writer.View, inner, targetPath);
        // Directory inodes are never reused, so an equal inode means "a snapshot of this directory".
        if (pin.RootInode != target) throw new UnrelatedSnapshotException(targetPath, snapshotId);
        var snapshot = LayerTable.ViewOf(txn, pin.Layer, pin.RootInode);
        // The directory may sit deeper now than where the snapshot was taken: what it restores
        // must still fit the path limits there (walked only in that case).
        var takenAt = Paths.PathRules.SplitStorePath(pin.Root, nameof(targetPath))[Paths.PathRules.SplitStorePath(pin.WorkspacePath, nameof(targetPath)).Length..];
        if (!SubtreeFit.NoWalkNeeded(takenAt, inner)) SubtreeFit.Ensure(txn, snapshot, pin.RootInode, isDirectory: true, inner);
        new SubtreeRestorer(txn, writer, snapshot, () => _ids.Next(txn)).Restore(target);
        writer.Complete();
        NextVersion(txn);
    }
}
