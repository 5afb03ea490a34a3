using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Gc;

/// <summary>
/// Decides whether a live view still needs one version of one record. A view needs a version
/// when it sees it (no layer between hides it) and, unless it is a tombstone, the version lies
/// inside the view's root: an inode the view's tree links to, or an entry of a directory it
/// links to. A subtree snapshot or clone therefore needs nothing outside its directory.
/// Tombstones are kept wherever a view sees them: dropping one would show an older version.
/// </summary>
internal static class VersionNeeds
{
    /// <summary>The leaf layer of the first view that needs the version (a layer's record), or 0 if none does.</summary>
    public static long NeededBy(MetaTxn txn, IEnumerable<Viewer> viewers, long layer, byte type, byte[] recordKey)
    {
        var value = txn.Get(LayerRecords.DatabaseOf(type), recordKey);
        if (value is null) return 0;
        var tombstone = type == Keys.IndexInode
            ? InodeRecord.Decode(value).Kind == RecordKind.Tombstone
            : DentryRecord.Decode(value).Kind == RecordKind.Tombstone;
        foreach (var viewer in viewers)
        {
            if (!Sees(txn, viewer.View, layer, type, recordKey)) continue;
            if (tombstone || Inside(txn, viewer.View, type, recordKey)) return viewer.Layer;
        }
        return 0;
    }

    private static bool Sees(MetaTxn txn, View view, long layer, byte type, byte[] recordKey) => type == Keys.IndexInode
        ? NodeReader.InodeVersion(txn, view, Keys.InodeIno(recordKey))?.Layer == layer
        : NodeReader.DentryVersion(txn, view, Keys.DentryParent(recordKey), Keys.DentryName(recordKey).ToArray())?.Layer == layer;

    private static bool Inside(MetaTxn txn, View view, byte type, byte[] recordKey) => type == Keys.IndexInode
        ? NodeReader.PathOf(txn, view, Keys.InodeIno(recordKey)) is not null
        : NodeReader.PathOf(txn, view, Keys.DentryParent(recordKey)) is not null;
}
