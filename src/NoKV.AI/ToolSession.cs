namespace NoKV.AI;

/// <summary>
/// The state one set of tools shares: the workspace, its store (for diffs), the limits, and the
/// snapshots these tools took — the only ones rollback will return to, besides the base, so a
/// model cannot roll the fork onto some other snapshot it guessed the id of.
/// </summary>
internal sealed partial class ToolSession(Workspace workspace, WorkspaceToolOptions options)
{
    private readonly Lock _gate = new();
    private readonly List<long> _snapshotsTaken = [];

    public Workspace Workspace => workspace;

    public WorkspaceToolOptions Options => options;

    private WorkspaceStore Store => workspace.Store;

    private void Remember(long snapshotId)
    {
        lock (_gate) _snapshotsTaken.Add(snapshotId);
    }

    private long[] SnapshotsTaken()
    {
        lock (_gate) return [.. _snapshotsTaken];
    }

    private static string Plural(long count, string noun) => count == 1 ? $"1 {noun}" : $"{count:N0} {noun}s";
}
