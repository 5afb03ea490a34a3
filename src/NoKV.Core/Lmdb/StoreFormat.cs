using LightningDB;

namespace NoKV.Lmdb;

/// <summary>
/// The records in the meta database that make a store recognise itself: "format" (the metadata
/// format version, int32) and "store-id" (16 bytes, the id also kept in the store directory's
/// identity file). A store created before store ids existed gets one on its first open.
/// </summary>
/// <remarks>
/// Format history. 1: files and directories, with a modification time. 2 (issue 14): symbolic
/// links, and per node a change time, permission bits and owner uid/gid; only inode records
/// changed layout. A format 1 store is upgraded in place on open, inside the open's one write
/// transaction, so a crash during the upgrade leaves it format 1 (see <see cref="Upgrade"/>).
/// </remarks>
internal static class StoreFormat
{
    public const int Version = 2;
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

    /// <summary>
    /// Checks the format version of an existing store, upgrading an older one, and returns its id
    /// (assigning one to a store from before ids).
    /// </summary>
    /// <exception cref="StoreFormatException">The store is of a newer format than this NoKV reads.</exception>
    public static Guid Check(LightningTransaction txn, LightningDatabase meta, LightningDatabase inodes)
    {
        var (rc, _, value) = txn.Get(meta, FormatKey);
        LmdbErrors.Check(rc);
        if (value.AsSpan().Length != sizeof(int)) throw new StoreCorruptedException("The store's metadata format record is damaged.");
        var version = BitConverter.ToInt32(value.AsSpan());
        if (version == 1)
        {
            Upgrade(txn, inodes);
            LmdbErrors.Check(txn.Put(meta, FormatKey, BitConverter.GetBytes(Version)));
        }
        else if (version != Version)
        {
            throw new StoreFormatException(version, Version);
        }

        (rc, _, value) = txn.Get(meta, StoreIdKey);
        if (rc == MDBResultCode.NotFound) return AssignId(txn, meta);
        LmdbErrors.Check(rc);
        if (value.AsSpan().Length != 16) throw new StoreCorruptedException("The store's metadata store-id record is damaged.");
        return new Guid(value.AsSpan());
    }

    /// <summary>
    /// Rewrites every inode record of format 1 in format 2: its modification time becomes its
    /// change time too, it gets its kind's default mode, and it is owned by the user and group
    /// of the process that upgrades (who, owning the store's files, most likely wrote it).
    /// One transaction: O(inode records) time, and LMDB keeps the rewritten pages in memory
    /// until the commit (a few hundred bytes per record).
    /// </summary>
    private static void Upgrade(LightningTransaction txn, LightningDatabase inodes)
    {
        var upgraded = new List<(byte[] Key, byte[] Value)>();
        using (var cursor = txn.CreateCursor(inodes))
        {
            for (var rc = cursor.First().resultCode; rc == MDBResultCode.Success; rc = cursor.Next().resultCode)
            {
                var (_, key, value) = cursor.GetCurrent();
                var record = InodeRecord.DecodeFormat1(value.AsSpan(), ProcessIdentity.User, ProcessIdentity.Group);
                upgraded.Add((key.CopyToNewArray(), record.Encode()));
            }
        }
        foreach (var (key, value) in upgraded) LmdbErrors.Check(txn.Put(inodes, key, value));
    }

    private static Guid AssignId(LightningTransaction txn, LightningDatabase meta)
    {
        var id = Guid.NewGuid();
        LmdbErrors.Check(txn.Put(meta, StoreIdKey, id.ToByteArray()));
        return id;
    }
}
