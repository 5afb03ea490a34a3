namespace NoKV;

/// <summary>Settings of a workspace being created or cloned (<see cref="WorkspaceStore.CreateWorkspace(string, WorkspaceOptions?)"/>, <see cref="WorkspaceStore.Clone(string, string, WorkspaceOptions?)"/>).</summary>
public sealed class WorkspaceOptions
{
    /// <summary>
    /// How long the workspace lives (null, the default: until deleted). Once it has passed, the
    /// next <see cref="WorkspaceStore.CollectGarbage"/> drops the workspace, unless it is in use
    /// (an open write session, import or mount): then the first GC after it is released. Renew or
    /// clear it with <see cref="WorkspaceStore.SetExpiry"/>. A clone's own snapshot of its source
    /// (<see cref="CloneHandle.SnapshotId"/>) is released when expiry drops the clone, so renewing the clone keeps its rollback point. From one second to 100 years.
    /// </summary>
    public TimeSpan? TimeToLive { get; init; }
}
