namespace NoKV;

/// <summary>Settings of a snapshot being taken (<see cref="WorkspaceStore.Snapshot(string, SnapshotOptions?)"/>).</summary>
public sealed class SnapshotOptions
{
    /// <summary>
    /// How long the snapshot lives (null, the default: until released). Once it has passed, the
    /// next <see cref="WorkspaceStore.CollectGarbage"/> releases it. Clones taken from it do not
    /// depend on it: they keep everything they show. Renew or clear it with
    /// <see cref="WorkspaceStore.SetSnapshotExpiry"/>. From one second to 100 years.
    /// </summary>
    public TimeSpan? TimeToLive { get; init; }
}
