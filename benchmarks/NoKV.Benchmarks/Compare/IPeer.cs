namespace NoKV.Benchmarks.Compare;

/// <summary>One way of giving agents forks of a base tree: NoKV, git worktrees, or plain copies.</summary>
internal interface IPeer : IDisposable
{
    string Name { get; }

    /// <summary>Takes the base tree in (not timed).</summary>
    void Setup(string source);

    /// <summary>Creates fork <paramref name="i"/> (timed).</summary>
    void Fork(int i);

    /// <summary>Writes files into fork <paramref name="i"/> and lists what changed; returns how many changes it saw (timed).</summary>
    int WriteAndListChanges(int i, IReadOnlyList<(string Path, byte[] Data)> writes);

    /// <summary>Brings fork <paramref name="i"/> back to the base (timed).</summary>
    void Rollback(int i);

    /// <summary>Disk space the forks take beyond the base.</summary>
    long ForkDiskBytes();
}
