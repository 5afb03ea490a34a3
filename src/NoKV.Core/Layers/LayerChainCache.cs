using System.Collections.Concurrent;
using NoKV.Lmdb;

namespace NoKV.Layers;

/// <summary>
/// Ancestor chains by leaf layer, so a lookup does not re-read every layer record up to the
/// base. A layer's parent changes only when GC merges an ancestor away, and then the cached
/// chain is a superset of the true one: the merged layer holds no records any more, so lookups
/// through it resolve exactly as before. Layer ids are never reused. So entries never go stale
/// in a harmful way, and the only rule is to cache nothing a transaction that may still abort
/// has created.
/// </summary>
internal sealed class LayerChainCache
{
    private const long MaxCachedIds = 4_000_000;
    private readonly ConcurrentDictionary<long, long[]> _chains = new();
    private long _cachedIds;

    public long[] Get(MetaTxn txn, long leaf)
    {
        if (_chains.TryGetValue(leaf, out var cached)) return cached;

        var walked = new List<long>(8);
        long[] tail = [];
        for (var id = leaf; id != 0;)
        {
            if (walked.Count > 0 && _chains.TryGetValue(id, out var known))
            {
                tail = known;
                break;
            }
            if (walked.Count > 10_000_000) throw new StoreCorruptedException($"The layer chain of {leaf} loops.");
            walked.Add(id);
            id = LayerTable.Get(txn, id).Parent;
        }
        long[] chain = [.. walked, .. tail];

        if (txn.IsReadOnly) Remember(leaf, chain);
        else txn.OnCommitted(() => Remember(leaf, chain));
        return chain;
    }

    private void Remember(long leaf, long[] chain)
    {
        if (Interlocked.Add(ref _cachedIds, chain.Length) > MaxCachedIds)
        {
            _chains.Clear();
            Interlocked.Exchange(ref _cachedIds, chain.Length);
        }
        _chains[leaf] = chain;
    }
}
