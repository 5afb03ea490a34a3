using System.Collections.Concurrent;
using NoKV.Lmdb;

namespace NoKV.Layers;

/// <summary>
/// Ancestor chains by leaf layer, so a lookup does not re-read every layer record up to the
/// base. A leaf's chain only ever shrinks: GC merges a single-child ancestor into its child and
/// deletes it (layer ids are never reused, and no layer is ever inserted into a chain). A chain
/// computed in an older metadata snapshot is therefore a superset of the true one, and serves
/// every newer reader exactly: the merged layer holds no records any more, so lookups through it
/// resolve as before.
/// The converse is the trap: a chain computed after a merge lacks the merged layer, whose
/// records a reader that started before the merge still needs. So each entry remembers the
/// snapshot (LMDB transaction id) it was computed in, the cache remembers the last transaction
/// that shortened any chain, and a reader uses an entry only if the entry is no newer than the
/// reader's snapshot or no chain changed after that snapshot.
/// </summary>
internal sealed class LayerChainCache
{
    private const long MaxCachedIds = 4_000_000;
    private readonly ConcurrentDictionary<long, Entry> _chains = new();
    private long _cachedIds;
    private long _lastShortened;

    private sealed record Entry(long[] Chain, long ComputedAt);

    public long[] Get(MetaTxn txn, long leaf)
    {
        var at = txn.SnapshotId;
        if (TryGetUsable(leaf, at, out var cached)) return cached;

        var walked = new List<long>(8);
        long[] tail = [];
        for (var id = leaf; id != 0;)
        {
            if (walked.Count > 0 && TryGetUsable(id, at, out var known))
            {
                tail = known;
                break;
            }
            if (walked.Count > 10_000_000) throw new StoreCorruptedException($"The layer chain of {leaf} loops.");
            walked.Add(id);
            id = LayerTable.Get(txn, id).Parent;
        }
        long[] chain = [.. walked, .. tail];

        // Nothing a transaction that may still abort has created is cached.
        if (txn.IsReadOnly) Remember(leaf, chain, at);
        else txn.OnCommitted(() => Remember(leaf, chain, at));
        return chain;
    }

    /// <summary>
    /// Called by a write transaction that changes a layer's parent (a merge), before it commits:
    /// from then on, readers older than it no longer trust entries computed after it.
    /// </summary>
    public void Shortening(MetaTxn txn)
    {
        var at = txn.SnapshotId;
        long seen;
        while ((seen = Volatile.Read(ref _lastShortened)) < at && Interlocked.CompareExchange(ref _lastShortened, at, seen) != seen) { }
    }

    private bool TryGetUsable(long leaf, long readerAt, out long[] chain)
    {
        if (_chains.TryGetValue(leaf, out var entry) && (entry.ComputedAt <= readerAt || Volatile.Read(ref _lastShortened) <= readerAt))
        {
            chain = entry.Chain;
            return true;
        }
        chain = [];
        return false;
    }

    private void Remember(long leaf, long[] chain, long computedAt)
    {
        if (Interlocked.Add(ref _cachedIds, chain.Length) > MaxCachedIds)
        {
            _chains.Clear();
            Interlocked.Exchange(ref _cachedIds, chain.Length);
        }
        // Keep the newest computation: it is the shortest chain, and older readers that cannot
        // use it walk for themselves.
        _chains.AddOrUpdate(leaf, new Entry(chain, computedAt), (_, existing) => existing.ComputedAt > computedAt ? existing : new Entry(chain, computedAt));
    }
}
