namespace NoKV;

/// <summary>What <see cref="WorkspaceStore.Promote"/> did.</summary>
public sealed record PromoteResult
{
    /// <summary>True when the fork's changes were applied (no conflicts, or a strategy resolved them).</summary>
    public required bool Promoted { get; init; }

    /// <summary>True when the target had not changed since the fork split from it: the fork's changes applied as they are.</summary>
    public required bool FastForward { get; init; }

    /// <summary>The fork's changes (relative to the split point) written into the target, sorted by path.</summary>
    public required IReadOnlyList<SubtreeDelta> Applied { get; init; }

    /// <summary>Paths both sides changed differently, sorted by path; applied or not according to the strategy.</summary>
    public required IReadOnlyList<PromoteConflict> Conflicts { get; init; }

    /// <summary>A snapshot of the target taken just before the promote (roll back to it to undo); 0 when nothing was applied.</summary>
    public required long SnapshotId { get; init; }
}
