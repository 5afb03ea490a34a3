namespace NoKV.Tests;

/// <summary>What a scheduled PUT does: succeed, fail before storing, or store the block and then fail.</summary>
public enum PutFault
{
    /// <summary>The PUT goes through.</summary>
    None,

    /// <summary>The PUT throws without storing anything (a refused request, a full disk).</summary>
    FailBeforeStoring,

    /// <summary>The PUT stores the block and then throws (a timeout after the server wrote it).</summary>
    FailAfterStoring,
}

/// <summary>
/// A real block store with injected failures, with an exception of the test's choosing (a full
/// disk, a transient error that outlived its retries). Two ways to fail PUTs:
/// <see cref="PutsBeforeFailing"/> (every PUT after the N-th fails, a full disk), and
/// <see cref="PutSchedule"/>, which decides per PUT by its ordinal, so one PUT in the middle can fail
/// once while the next ones succeed — the pattern that found a failed upload being forgotten.
/// <see cref="FailDeletes"/> makes deletes fail too, so cleanup after a failure can be left undone.
/// </summary>
public sealed class FaultyBlockStore(IBlockStore inner, Func<string, Exception> fault) : DecoratedBlockStore(inner)
{
    private int _remaining = int.MaxValue;
    private long _puts;
    private int _injected;

    /// <summary>How many more PUTs succeed before each further one fails.</summary>
    public int PutsBeforeFailing
    {
        get => Volatile.Read(ref _remaining);
        set => Volatile.Write(ref _remaining, value);
    }

    /// <summary>Decides each PUT by its ordinal (0 for the first PUT since <see cref="ResetSchedule"/>); null: no scheduled faults.</summary>
    public Func<long, PutFault>? PutSchedule { get; set; }

    /// <summary>When true, every delete throws without deleting.</summary>
    public bool FailDeletes { get; set; }

    /// <summary>When true, PUTs complete asynchronously (on the thread pool), so parallel uploads really overlap.</summary>
    public bool YieldOnPut { get; set; }

    /// <summary>How many faults were thrown since the last <see cref="ResetSchedule"/>.</summary>
    public int FaultsInjected => Volatile.Read(ref _injected);

    /// <summary>Restarts PUT ordinals and the fault count at zero.</summary>
    public void ResetSchedule()
    {
        Volatile.Write(ref _puts, 0);
        Volatile.Write(ref _injected, 0);
    }

    public override async ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var ordinal = Interlocked.Increment(ref _puts) - 1;
        if (YieldOnPut) await Task.Yield();
        if (Interlocked.Decrement(ref _remaining) < 0) throw Inject(key);
        var scheduled = PutSchedule?.Invoke(ordinal) ?? PutFault.None;
        if (scheduled == PutFault.FailBeforeStoring) throw Inject(key);
        await Inner.PutAsync(key, data, cancellationToken);
        if (scheduled == PutFault.FailAfterStoring) throw Inject(key);
    }

    private Exception Inject(string key)
    {
        Interlocked.Increment(ref _injected);
        return fault(key);
    }

    public override ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        FailDeletes ? throw fault(key) : Inner.DeleteAsync(key, cancellationToken);
}
