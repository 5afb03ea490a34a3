namespace NoKV;

/// <summary>The result of a clone.</summary>
/// <param name="Root">The new workspace's path.</param>
/// <param name="RootInode">The new workspace's root inode (the source directory's inode: clones share identity with their origin).</param>
/// <param name="SnapshotId">The snapshot the clone started from. A clone of a live workspace takes this snapshot itself; release it when it is no longer needed as a rollback or diff base.</param>
/// <param name="Workspace">The new, writable workspace.</param>
public sealed record CloneHandle(string Root, long RootInode, long SnapshotId, Workspace Workspace);
