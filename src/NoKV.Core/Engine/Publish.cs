using NoKV.Blocks;
using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;
using NoKV.Streams;

namespace NoKV.Engine;

/// <summary>
/// Makes a written version visible, inside a head transaction: its chunk map and generation
/// record, a reference on every block it borrowed from an older version, and the inode record
/// that names it (with a new directory entry for a new file).
/// </summary>
internal static class Publish
{
    /// <summary>
    /// Publishes a file under a resolved parent directory, by name. An existing file keeps its
    /// inode, mode and owner (its times move); a new one gets a new file's defaults, or
    /// <paramref name="attributes"/> when given (an import copies its source's), and its
    /// directory's times move.
    /// </summary>
    /// <exception cref="NotAFileException">A directory or a symbolic link has the name.</exception>
    public static void IntoDirectory(HeadWriter writer, long wsId, long parent, PendingFile file, AttributeChange? attributes = null)
    {
        var name = PathRules.NameBytes(file.Segments[^1]);
        var existing = NamespaceTree.Lookup(writer.Txn, writer.View, parent, name, file.Path);
        if (existing is { Record.IsFile: false } other) throw new NotAFileException(file.Path, NodeAttributes.KindOf(other.Record.Kind));
        RecordVersion(writer.Txn, wsId, file);
        var ino = existing?.Ino ?? file.BlockInode;
        var record = (existing?.Record ?? InodeRecord.New(RecordKind.File, parent, name)).ContentChanged() with
        {
            Generation = file.Gen,
            Size = file.Size,
            ChunkSize = file.ChunkSize,
        };
        if (attributes is { } given) record = given.ApplyTo(record);
        writer.PutInode(ino, record);
        if (existing is not null) return;
        writer.PutDentry(parent, name, new DentryRecord(ino, RecordKind.File));
        NamespaceEdits.EntriesChanged(writer, parent);
    }

    /// <summary>Publishes a new version of the file <paramref name="ino"/> (currently <paramref name="current"/>), wherever it is now.</summary>
    public static void AsVersionOf(HeadWriter writer, long wsId, long ino, InodeRecord current, PendingFile file)
    {
        RecordVersion(writer.Txn, wsId, file);
        writer.PutInode(ino, current.ContentChanged() with { Generation = file.Gen, Size = file.Size, ChunkSize = file.ChunkSize });
    }

    private static void RecordVersion(MetaTxn txn, long wsId, PendingFile file)
    {
        GenerationTable.Create(txn, file.Gen, new GenerationRecord(0, wsId, file.BlockInode, file.Size, file.ChunkSize, file.Chunks.Count), file.Chunks);
        foreach (var chunk in file.Chunks.Where(c => c.HasBlock && !c.MintedBy(file.Gen))) BlockRefTable.AddBorrower(txn, chunk);
        PendingGenerations.Published(txn, file.Gen);
    }
}
