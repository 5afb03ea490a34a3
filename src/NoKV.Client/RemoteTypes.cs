namespace NoKV.Client;

/// <summary>A store path resolved by the owner: the workspace it is in and the path inside it (<see cref="LocatedPath"/>).</summary>
/// <param name="Workspace">The workspace.</param>
/// <param name="Path">The path inside the workspace ("/" for its root).</param>
public sealed record RemoteLocatedPath(RemoteWorkspace Workspace, string Path);

/// <summary>What a clone made (<see cref="CloneHandle"/>).</summary>
/// <param name="Root">The new workspace's path.</param>
/// <param name="RootInode">Its root inode.</param>
/// <param name="SnapshotId">The snapshot the clone started from (taken implicitly for a live source).</param>
/// <param name="Workspace">The new workspace.</param>
public sealed record RemoteClone(string Root, long RootInode, long SnapshotId, RemoteWorkspace Workspace);
