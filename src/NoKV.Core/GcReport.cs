namespace NoKV;

/// <summary>What one garbage collection did.</summary>
public sealed record GcReport
{
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

    /// <summary>Generations left alone because an open read stream still uses them; a later run collects them.</summary>
    public long GenerationsInUse { get; init; }

    /// <summary>How long the collection took.</summary>
    public TimeSpan Duration { get; init; }
}
