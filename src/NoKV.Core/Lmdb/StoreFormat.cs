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
/// changed layout. 3 (issue 15): a chunk's bytes may be inline in its record or all zeros (no
/// block); only chunk records changed layout. 4 (issue 18): workspace records carry flags
/// (read-only) and an expiry, pin records an expiry; only those records changed layout. An older store is upgraded in place on open, one
/// format at a time, inside the open's one write transaction, so a crash during the upgrade
/// leaves it as it was (see <see cref="Upgrade"/>).
/// </remarks>
internal static class StoreFormat
{
    public const int Version = 4;
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
    public static Guid Check(LightningTransaction txn, LightningDatabase meta, Func<Db, LightningDatabase> database)
    {
        var (rc, _, value) = txn.Get(meta, FormatKey);
        LmdbErrors.Check(rc);
        if (value.AsSpan().Length != sizeof(int)) throw new StoreCorruptedException("The store's metadata format record is damaged.");
        var version = BitConverter.ToInt32(value.AsSpan());
        if (version < 1) throw new StoreCorruptedException($"The store's metadata format record is damaged (it says format {version}).");
        if (version > Version) throw new StoreFormatException(version, Version);
        if (version < Version)
        {
            if (version < 2) Upgrade(txn, database(Db.Inodes), v => InodeRecord.DecodeFormat1(v, ProcessIdentity.User, ProcessIdentity.Group).Encode());
            if (version < 3) Upgrade(txn, database(Db.Chunks), v => ChunkRecord.DecodeFormat2(v).Encode());
            if (version < 4)
            {
                Upgrade(txn, database(Db.Workspaces), v => WorkspaceRecord.DecodeFormat3(v).Encode());
                Upgrade(txn, database(Db.Pins), v => PinRecord.DecodeFormat3(v).Encode());
            }
            LmdbErrors.Check(txn.Put(meta, FormatKey, BitConverter.GetBytes(Version)));
        }

        (rc, _, value) = txn.Get(meta, StoreIdKey);
        if (rc == MDBResultCode.NotFound) return AssignId(txn, meta);
        LmdbErrors.Check(rc);
        if (value.AsSpan().Length != 16) throw new StoreCorruptedException("The store's metadata store-id record is damaged.");
        return new Guid(value.AsSpan());
    }

    /// <summary>
    /// Rewrites every record of one database in the next format's layout. 1 → 2, inodes: the
    /// modification time becomes the change time too, each node gets its kind's default mode
    /// and is owned by the user and group of the process that upgrades (who, owning the store's
    /// files, most likely wrote it). 2 → 3, chunks: every chunk is a block chunk. 3 → 4,
    /// workspaces and pins: no flags (writable), no expiry. One
    /// transaction: O(records) time, and LMDB keeps the rewritten pages in memory until the
    /// commit (a few hundred bytes per record).
    /// </summary>
    private static void Upgrade(LightningTransaction txn, LightningDatabase database, Func<byte[], byte[]> rewrite)
    {
        var upgraded = new List<(byte[] Key, byte[] Value)>();
        using (var cursor = txn.CreateCursor(database))
        {
            for (var rc = cursor.First().resultCode; rc == MDBResultCode.Success; rc = cursor.Next().resultCode)
            {
                var (_, key, value) = cursor.GetCurrent();
                upgraded.Add((key.CopyToNewArray(), rewrite(value.CopyToNewArray())));
            }
        }
        foreach (var (key, value) in upgraded) LmdbErrors.Check(txn.Put(database, key, value));
    }

    private static Guid AssignId(LightningTransaction txn, LightningDatabase meta)
    {
        var id = Guid.NewGuid();
        LmdbErrors.Check(txn.Put(meta, StoreIdKey, id.ToByteArray()));
        return id;
    }
}
