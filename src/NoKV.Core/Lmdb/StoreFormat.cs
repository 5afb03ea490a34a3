using LightningDB;

namespace NoKV.Lmdb;

/// <summary>
/// The records in the meta database that make a store recognise itself: "format" (the metadata
/// format version, int32) and "store-id" (16 bytes, the id also kept in the store directory's
/// identity file). A store created before store ids existed gets one on its first open.
/// </summary>
internal static class StoreFormat
{
    public const int Version = 1;
    private static readonly byte[] FormatKey = "format"u8.ToArray();
    private static readonly byte[] StoreIdKey = "store-id"u8.ToArray();

    /// <summary>True if the metadata has a format record (it has been a NoKV store).</summary>
    public static bool IsPresent(LightningTransaction txn, LightningDatabase meta)
    {
        var (rc, _, _) = txn.Get(meta, FormatKey);
        if (rc == MDBResultCode.NotFound) return false;
        LmdbErrors.Check(rc);
        return true;
    }

    /// <summary>Writes the records of a new store and returns its id.</summary>
    public static Guid Create(LightningTransaction txn, LightningDatabase meta)
    {
        LmdbErrors.Check(txn.Put(meta, FormatKey, BitConverter.GetBytes(Version)));
        return AssignId(txn, meta);
    }

    /// <summary>Checks the format version of an existing store and returns its id (assigning one to a store from before ids).</summary>
    public static Guid Check(LightningTransaction txn, LightningDatabase meta)
    {
        var (rc, _, value) = txn.Get(meta, FormatKey);
        LmdbErrors.Check(rc);
        if (value.AsSpan().Length != sizeof(int)) throw new StoreCorruptedException("The store's metadata format record is damaged.");
        var version = BitConverter.ToInt32(value.AsSpan());
        if (version != Version)
            throw new StoreCorruptedException($"The store's metadata format is version {version}; this NoKV reads version {Version}.");

        (rc, _, value) = txn.Get(meta, StoreIdKey);
        if (rc == MDBResultCode.NotFound) return AssignId(txn, meta);
        LmdbErrors.Check(rc);
        if (value.AsSpan().Length != 16) throw new StoreCorruptedException("The store's metadata store-id record is damaged.");
        return new Guid(value.AsSpan());
    }

    private static Guid AssignId(LightningTransaction txn, LightningDatabase meta)
    {
        var id = Guid.NewGuid();
        LmdbErrors.Check(txn.Put(meta, StoreIdKey, id.ToByteArray()));
        return id;
    }
}
