namespace NoKV.Lmdb;

/// <summary>
/// Hands out inode and generation ids (one sequence, unique across the store) without a commit
/// per id: ids come from an in-memory range whose upper bound is made durable first. Any
/// transaction that hands out an id at or past the durable bound writes a larger bound in the
/// same transaction (never lowering it), so no committed id can be handed out again after a
/// crash; ids of an aborted transaction are simply skipped.
/// </summary>
internal sealed class IdAllocator
{
    private const long Batch = 1 << 16;
    private readonly MetaDb _meta;
    private readonly Lock _gate = new();
    private long _next;
    private long _durableLimit;

    public IdAllocator(MetaDb meta)
    {
        _meta = meta;
        _next = _durableLimit = meta.Read(txn => Counters.Current(txn, Counters.IdLimit)) + 1;
    }

    /// <summary>Allocates an id; pass the current write transaction if there is one (never open one while holding another).</summary>
    public long Next(MetaTxn? txn = null)
    {
        long id;
        lock (_gate)
        {
            id = _next++;
            if (id < _durableLimit) return id;
        }

        if (txn is { IsReadOnly: false })
        {
            var limit = RaiseLimit(txn, id);
            txn.OnCommitted(() => Publish(limit));
        }
        else
        {
            Publish(_meta.Write(t => RaiseLimit(t, id)));
        }
        return id;
    }

    private static long RaiseLimit(MetaTxn txn, long id)
    {
        var limit = Math.Max(Counters.Current(txn, Counters.IdLimit), id + Batch);
        Counters.Set(txn, Counters.IdLimit, limit);
        return limit;
    }

    private void Publish(long limit)
    {
        lock (_gate) _durableLimit = Math.Max(_durableLimit, limit);
    }
}
