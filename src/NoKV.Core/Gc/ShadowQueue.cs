using NoKV.Lmdb;

namespace NoKV.Gc;

/// <summary>
/// The shadowed-version queue and its parking lot, both kept in <see cref="Db.GcShadowed"/>.
/// A version (named by its layer-index entry: layer, record type, record key) is
/// <list type="bullet">
/// <item><b>queued</b> when a write first hides it or something may have stopped needing it:
/// the key is the entry itself, so queued versions scan in layer order;</item>
/// <item><b>parked</b> when GC found a live view that still needs it: filed under that view's
/// layer (the blocker) and woken when the blocker's views change (a pin released, a head
/// retired, the layer merged or deleted), so a version is re-examined exactly when it may have
/// become garbage and never rescanned while nothing changed.</item>
/// </list>
/// Parked entries live under two prefixes no layer id reaches (ids are positive and far below
/// 2^56, so a queued key starts with 0x00): <c>0xFE ‖ entry → blocker</c> finds a version's
/// blocker (to move or forget the entry with its record) and <c>0xFF ‖ blocker ‖ entry</c>
/// finds what a blocker holds.
/// </summary>
internal static class ShadowQueue
{
    private const byte ByEntry = 0xFE;
    private const byte ByBlocker = 0xFF;

    /// <summary>The entry naming a version: its layer-index key.</summary>
    public static byte[] Entry(long layer, byte type, ReadOnlySpan<byte> recordKey) => Keys.LayerIndex(layer, type, recordKey);

    public static void Enqueue(MetaTxn txn, byte[] entry) => txn.Put(Db.GcShadowed, entry, []);

    /// <summary>The first layer at or after <paramref name="from"/> with queued versions, or 0.</summary>
    public static long NextQueuedLayer(MetaTxn txn, long from) =>
        txn.First(Db.GcShadowed, [], Keys.U64(from)) is { } e && e.Key[0] < ByEntry ? Keys.ReadU64(e.Key) : 0;

    public static List<byte[]> Queued(MetaTxn txn, long layer, int max) =>
        txn.Scan(Db.GcShadowed, Keys.U64(layer)).Take(max).Select(e => e.Key).ToList();

    /// <summary>Takes a version off the queue and out of the parking lot: it is being decided now.</summary>
    public static void Take(MetaTxn txn, byte[] entry)
    {
        txn.Delete(Db.GcShadowed, entry);
        Unpark(txn, entry);
    }

    public static void Park(MetaTxn txn, byte[] entry, long blocker)
    {
        Unpark(txn, entry);
        txn.Put(Db.GcShadowed, ByEntryKey(entry), Keys.U64(blocker));
        txn.Put(Db.GcShadowed, ByBlockerKey(blocker, entry), []);
    }

    /// <summary>Queues again every version parked under <paramref name="blocker"/>, whose views changed.</summary>
    public static int Wake(MetaTxn txn, long blocker)
    {
        var prefix = new byte[9];
        prefix[0] = ByBlocker;
        Keys.U64(blocker).CopyTo(prefix, 1);
        var woken = 0;
        foreach (var (key, _) in txn.Scan(Db.GcShadowed, prefix).ToList())
        {
            var entry = key[9..];
            txn.Delete(Db.GcShadowed, key);
            txn.Delete(Db.GcShadowed, ByEntryKey(entry));
            Enqueue(txn, entry);
            woken++;
        }
        return woken;
    }

    /// <summary>The version's record was deleted: nothing about it needs deciding any more.</summary>
    public static void Forget(MetaTxn txn, byte[] entry) => Take(txn, entry);

    /// <summary>The version's record moved to another layer (a merge): its queue or parking state moves with it.</summary>
    public static void Move(MetaTxn txn, byte[] entry, byte[] newEntry)
    {
        if (txn.Delete(Db.GcShadowed, entry)) Enqueue(txn, newEntry);
        if (txn.Get(Db.GcShadowed, ByEntryKey(entry)) is { } blocker)
        {
            Unpark(txn, entry);
            Park(txn, newEntry, Keys.ReadU64(blocker));
        }
    }

    /// <summary>True if the key is a queued version (not parking-lot bookkeeping).</summary>
    public static bool IsQueuedEntry(ReadOnlySpan<byte> key) => key[0] < ByEntry;

    private static void Unpark(MetaTxn txn, byte[] entry)
    {
        var byEntry = ByEntryKey(entry);
        if (txn.Get(Db.GcShadowed, byEntry) is not { } blocker) return;
        txn.Delete(Db.GcShadowed, byEntry);
        txn.Delete(Db.GcShadowed, ByBlockerKey(Keys.ReadU64(blocker), entry));
    }

    private static byte[] ByEntryKey(byte[] entry) => [ByEntry, .. entry];

    private static byte[] ByBlockerKey(long blocker, byte[] entry) => [ByBlocker, .. Keys.U64(blocker), .. entry];
}
