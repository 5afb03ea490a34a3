namespace NoKV;

/// <summary>The result of <see cref="WorkspaceStore.Verify"/>.</summary>
public sealed record VerifyReport
{
    /// <summary>Every problem found; empty for a healthy store.</summary>
    public required IReadOnlyList<StoreProblem> Problems { get; init; }

    /// <summary>True when no problem was found.</summary>
    public bool IsHealthy => Problems.Count == 0;

    /// <summary>Workspaces and snapshots whose trees were walked.</summary>
    public long ViewsChecked { get; init; }

    /// <summary>File versions (generations) checked.</summary>
    public long GenerationsChecked { get; init; }

    /// <summary>Blocks checked (read and checksummed, or checked for existence).</summary>
    public long BlocksChecked { get; init; }

    /// <summary>How long the check took.</summary>
    public TimeSpan Duration { get; init; }
}
