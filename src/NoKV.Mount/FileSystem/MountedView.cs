using NoKV.Engine;
using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Mount.FileSystem;

/// <summary>
/// What a mount shows: a workspace's head (writable unless mounted read-only) or a snapshot
/// (always read-only), with the root inode the kernel's node 1 stands for.
/// </summary>
internal sealed record MountedView(Func<MetaTxn, View> ViewOf, long RootInode, WorkspaceRef? Workspace, long SnapshotId, bool IsReadOnly)
{
    /// <summary>A workspace's head; read-only if the workspace is (a later flag change shows as EROFS when a write publishes).</summary>
    public static MountedView Of(Workspace workspace) => new(workspace.ViewOf, workspace.RootInode, workspace.Ref, 0, IsReadOnly: workspace.IsReadOnly);

    public static MountedView Of(SnapshotPin snapshot) => new(snapshot.ViewOf, snapshot.RootInode, null, snapshot.Id, IsReadOnly: true);
}
