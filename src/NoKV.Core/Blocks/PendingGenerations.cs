using NoKV.Lmdb;

namespace NoKV.Blocks;

/// <summary>
/// Tracks write sessions between their first block upload and their publish. Each is recorded
/// in LMDB (a cheap, non-fsynced commit: it outlives a killed process) and in memory (so GC in
/// this process never touches a session that is still writing, whatever the grace period).
/// </summary>
internal sealed class PendingGenerations(MetaDb meta)
{
    private readonly Lock _gate = new();
    private readonly HashSet<long> _inFlight = [];

    public void Register(long gen, long ownerWorkspace, long blockInode)
    {
        lock (_gate) _inFlight.Add(gen);
        try
        {
            meta.Write(txn =>
            {
                txn.Put(Db.PendingGenerations, Keys.Generation(gen), new PendingRecord(ownerWorkspace, blockInode, DateTime.UtcNow.Ticks).Encode());
                return true;
            }, CommitMode.Ordered);
        }
        catch
        {
            // No block is uploaded without its record (the caller fails before its first PUT).
            Finished(gen);
            throw;
        }
    }

    /// <summary>The session ended (published, or its blocks deleted); the caller removed or will remove the record.</summary>
    public void Finished(long gen)
    {
        lock (_gate) _inFlight.Remove(gen);
    }

    /// <summary>
    /// Forgets a session whose blocks were all deleted after a failure. Best effort: if the record
    /// cannot be removed, the orphan collector removes it later (finding no blocks).
    /// </summary>
    public void Abandon(long gen)
    {
        try
        {
            meta.Write(txn => txn.Delete(Db.PendingGenerations, Keys.Generation(gen)), CommitMode.Ordered);
        }
#pragma warning disable CA1031 // Called while another failure is being reported; this one changes nothing.
        catch (Exception) { }
#pragma warning restore CA1031
        finally
        {
            Finished(gen);
        }
    }

    public bool IsInFlight(long gen)
    {
        lock (_gate) return _inFlight.Contains(gen);
    }

    /// <summary>Publishing a generation ends its pending record in the same transaction.</summary>
    public static void Published(MetaTxn txn, long gen) => txn.Delete(Db.PendingGenerations, Keys.Generation(gen));
}
