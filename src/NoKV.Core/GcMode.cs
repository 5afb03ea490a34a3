namespace NoKV;

/// <summary>How much a garbage collection examines.</summary>
public enum GcMode
{
    /// <summary>Only what is queued as garbage: cost follows the garbage, not the store. The default.</summary>
    Incremental,

    /// <summary>
    /// Also lists every block in the block store to find orphans no metadata records (e.g. after
    /// a power failure lost a write session's intent), and counts the blocks only snapshots keep
    /// alive. Cost follows the store's size.
    /// </summary>
    Full,
}
