using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV;

public sealed partial class WorkspaceStore
{
    /// <summary>
    /// Makes a workspace's content exactly a snapshot's again, atomically: the workspace gets a
    /// fresh head on top of the snapshot's layer, keeping its path and root inode. What only the
    /// discarded head reached becomes garbage. O(1) in the size of the tree.
    /// </summary>
    /// <param name="targetPath">A workspace root. Rolling back a directory inside a workspace is not supported yet.</param>
    /// <param name="snapshotId">A snapshot of the workspace, or of its lineage (the workspace it was cloned from, or a clone of it), taken at its root.</param>
    /// <exception cref="WorkspaceNotFoundException">No workspace exists at the path.</exception>
    /// <exception cref="SnapshotNotFoundException">The snapshot was released.</exception>
    /// <exception cref="UnrelatedSnapshotException">The snapshot's root is not this workspace's root.</exception>
    /// <exception cref="NotSupportedException">The target is a directory inside a workspace.</exception>
    public void Rollback(string targetPath, long snapshotId)
    {
        ArgumentNullException.ThrowIfNull(targetPath);
        Write(txn =>
        {
            var (wsPath, ws, inner) = FindWorkspace(txn, targetPath, nameof(targetPath));
            var pin = GetPin(txn, snapshotId);
            if (inner.Length != 0)
                throw new NotSupportedException($"Rolling back a directory inside a workspace ('{targetPath}') is not supported yet; roll back the workspace root '{wsPath}'.");
            // Workspace root inodes are allocated once per CreateWorkspace and inherited by
            // clones, so an equal root inode means "same lineage, same root".
            if (pin.RootInode != ws.RootInode) throw new UnrelatedSnapshotException(targetPath, snapshotId);

            var head = LayerTable.Create(txn, pin.Layer, headOf: ws.Id);
            RetireHead(txn, ws.HeadLayer);
            txn.Put(Db.Workspaces, PathKey(wsPath), (ws with { HeadLayer = head }).Encode());
            NextVersion(txn);
            return true;
        });
    }
}
