using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Gc;

/// <summary>Operations on one versioned record, by its layer-index type and key.</summary>
internal static class LayerRecords
{
    public static Db DatabaseOf(byte type) => type == Keys.IndexInode ? Db.Inodes : Db.Dentries;

    /// <summary>The same logical record's key in another layer.</summary>
    public static byte[] Relabel(byte type, byte[] recordKey, long layer) => type == Keys.IndexInode
        ? Keys.Inode(Keys.InodeIno(recordKey), layer)
        : Keys.Dentry(Keys.DentryParent(recordKey), Keys.DentryName(recordKey), layer);

    /// <summary>Deletes a record, releasing the generation a file version holds. The caller keeps the layer index.</summary>
    public static void Drop(MetaTxn txn, byte type, byte[] recordKey)
    {
        if (type == Keys.IndexInode)
        {
            var value = txn.Get(Db.Inodes, recordKey);
            if (value is not null)
            {
                var record = InodeRecord.Decode(value);
                if (record.IsFile) GenerationTable.Release(txn, record.Generation);
            }
        }
        txn.Delete(DatabaseOf(type), recordKey);
    }
}
