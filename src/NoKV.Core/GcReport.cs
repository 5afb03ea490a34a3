namespace NoKV;

/// <summary>What one garbage collection did.</summary>
public sealed record GcReport
{
    /// <summary>Whether this was an incremental or a full collection.</summary>
    public GcMode Mode { get; init; }

    /// <summary>Blocks no metadata owns (of write sessions that never published) that were deleted.</summary>
    public long OrphansDeleted { get; init; }

    /// <summary>
    /// Blocks that no live workspace reaches and only snapshots keep alive: they become garbage
    /// when those snapshots are released. Counted by <see cref="GcMode.Full"/> collections
    /// (it walks every workspace); null after an incremental one.
    /// </summary>
    public long? BlocksBlockedBySnapshots { get; init; }

    /// <summary>Blocks deleted from the block store.</summary>
    public long BlocksDeleted { get; init; }

    /// <summary>Bytes those blocks held.</summary>
    public long BytesReclaimed { get; init; }

    /// <summary>File generations whose last reference went away and whose blocks were deleted.</summary>
    public long GenerationsCollected { get; init; }

    /// <summary>Dead layers (of deleted workspaces, rolled-back heads, released snapshots) whose records were removed.</summary>
    public long LayersCollected { get; init; }

    /// <summary>Unpinned single-child layers folded into their child, which frees what the child shadows.</summary>
    public long LayersMerged { get; init; }

    /// <summary>Old versions hidden in every live branch below their layer (e.g. a file both a base and its fork rewrote), removed.</summary>
    public long ShadowedVersionsCollected { get; init; }

    /// <summary>Generations left alone because an open read stream still uses them; a later run collects them.</summary>
    public long GenerationsInUse { get; init; }

    /// <summary>How long the collection took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Workspaces this run dropped because they had expired (see <see cref="WorkspaceOptions.TimeToLive"/>).</summary>
    public long ExpiredWorkspaces { get; init; }

    /// <summary>Snapshots this run released because they had expired (see <see cref="SnapshotOptions.TimeToLive"/>).</summary>
    public long ExpiredSnapshots { get; init; }

    /// <summary>Expired workspaces this run left alone because they are in use (an open write session, import or mount): dropped once released.</summary>
    public long ExpiryDeferred { get; init; }
}
