namespace NoKV;

/// <summary>A workspace as listed by <see cref="WorkspaceStore.ListWorkspaces"/>.</summary>
/// <param name="Path">The workspace path, e.g. "/forks/agent-1".</param>
/// <param name="RootInode">The workspace root's inode; kept across rollbacks.</param>
/// <param name="Id">The workspace's internal id (also the first segment of the block keys it mints).</param>
/// <param name="CreatedUtc">When the workspace was created or cloned.</param>
public sealed record WorkspaceInfo(string Path, long RootInode, long Id, DateTime CreatedUtc)
{
    /// <summary>True if writes into the workspace are refused (see <see cref="WorkspaceStore.SetReadOnly"/>).</summary>
    public bool IsReadOnly { get; init; }

    /// <summary>When the workspace expires (GC then drops it); null if it lives until deleted (see <see cref="WorkspaceOptions.TimeToLive"/>).</summary>
    public DateTime? ExpiresUtc { get; init; }
}
