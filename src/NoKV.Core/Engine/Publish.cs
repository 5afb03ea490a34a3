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
    /// <summary>Publishes a file under a resolved parent directory, by name; an existing file keeps its inode.</summary>
    /// <exception cref="NotAFileException">A directory has the name.</exception>
    public static void IntoDirectory(HeadWriter writer, long wsId, long parent, PendingFile file)
    {
        var name = PathRules.NameBytes(file.Segments[^1]);
        var existing = NodeReader.Dentry(writer.Txn, writer.View, parent, name);
        if (existing is { Kind: RecordKind.Directory }) throw new NotAFileException(file.Path);
        var ino = existing?.Child ?? file.BlockInode;
        RecordVersion(writer.Txn, wsId, file);
        writer.PutInode(ino, new InodeRecord(RecordKind.File, parent, name, file.Gen, file.Size, file.ChunkSize, DateTime.UtcNow.Ticks));
        if (existing is null) writer.PutDentry(parent, name, new DentryRecord(ino, RecordKind.File));
    }

    /// <summary>Publishes a new version of the file <paramref name="ino"/> (currently <paramref name="current"/>), wherever it is now.</summary>
    public static void AsVersionOf(HeadWriter writer, long wsId, long ino, InodeRecord current, PendingFile file)
    {
        RecordVersion(writer.Txn, wsId, file);
        writer.PutInode(ino, current with { Generation = file.Gen, Size = file.Size, ChunkSize = file.ChunkSize, ModifiedUtcTicks = DateTime.UtcNow.Ticks });
    }

    private static void RecordVersion(MetaTxn txn, long wsId, PendingFile file)
    {
        GenerationTable.Create(txn, file.Gen, new GenerationRecord(0, wsId, file.BlockInode, file.Size, file.ChunkSize, file.Chunks.Count), file.Chunks);
        foreach (var chunk in file.Chunks.Where(c => !c.MintedBy(file.Gen))) BlockRefTable.AddBorrower(txn, chunk);
        PendingGenerations.Published(txn, file.Gen);
    }
}
