using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;
using NoKV.Streams;

namespace NoKV;

/// <summary>Namespace mutations of a workspace: each is one transaction on the workspace's head layer.</summary>
public sealed partial class WorkspaceStore
{
    internal T WithHead<T>(string wsPath, long wsId, Func<HeadWriter, WorkspaceRecord, T> body) => Write(txn =>
    {
        var ws = GetWorkspace(txn, wsPath, wsId);
        var writer = new HeadWriter(txn, HeadView(txn, ws));
        var result = body(writer, ws);
        writer.Complete();
        NextVersion(txn);
        return result;
    });

    internal void CreateDirectoryIn(string wsPath, long wsId, string path)
    {
        var segments = PathRules.Split(path);
        WithHead(wsPath, wsId, (writer, _) => EnsureDirectory(writer, segments));
    }

    /// <summary>mkdir -p inside a head transaction; returns the directory's inode.</summary>
    internal long EnsureDirectory(HeadWriter writer, string[] segments)
    {
        var txn = writer.Txn;
        var ino = writer.View.RootInode;
        for (var i = 0; i < segments.Length; i++)
        {
            var name = PathRules.NameBytes(segments[i]);
            var entry = NodeReader.Dentry(txn, writer.View, ino, name);
            if (entry is not null)
            {
                if (entry.Kind != RecordKind.Directory) throw new NotADirectoryException(PathRules.Join(segments[..(i + 1)]));
                ino = entry.Child;
                continue;
            }
            var child = _ids.Next(txn);
            writer.PutInode(child, new InodeRecord(RecordKind.Directory, ino, name, 0, 0, 0, DateTime.UtcNow.Ticks));
            writer.PutDentry(ino, name, new DentryRecord(child, RecordKind.Directory));
            ino = child;
        }
        return ino;
    }

    /// <summary>Checks, when a write stream opens, that its path can take a file (fail early, before any upload).</summary>
    internal void CheckWritableFile(string wsPath, long wsId, string[] segments, string path)
    {
        if (segments.Length == 0) throw new NotAFileException(path);
        Read(txn =>
        {
            var view = HeadView(txn, GetWorkspace(txn, wsPath, wsId));
            var (parent, parentRecord) = NodeReader.Resolve(txn, view, segments[..^1], PathRules.Join(segments[..^1]));
            if (!parentRecord.IsDirectory) throw new NotADirectoryException(PathRules.Join(segments[..^1]));
            var existing = NodeReader.Dentry(txn, view, parent, PathRules.NameBytes(segments[^1]));
            if (existing is { Kind: RecordKind.Directory }) throw new NotAFileException(path);
            return true;
        });
    }

    /// <summary>
    /// Publishes a written generation: chunk map, generation record, inode record (and a new
    /// directory entry for a new file) in one transaction. The parent must exist.
    /// </summary>
    internal void PublishFile(string wsPath, long wsId, PendingFile file) => WithHead(wsPath, wsId, (writer, ws) =>
    {
        var parentPath = PathRules.Join(file.Segments[..^1]);
        var (parent, parentRecord) = NodeReader.Resolve(writer.Txn, writer.View, file.Segments[..^1], parentPath);
        if (!parentRecord.IsDirectory) throw new NotADirectoryException(parentPath);
        PublishInto(writer, ws.Id, parent, file);
        return true;
    });

    /// <summary>Publishes a file under a resolved parent directory; an existing file keeps its inode.</summary>
    internal static void PublishInto(HeadWriter writer, long wsId, long parent, PendingFile file)
    {
        var txn = writer.Txn;
        var name = PathRules.NameBytes(file.Segments[^1]);
        var existing = NodeReader.Dentry(txn, writer.View, parent, name);
        if (existing is { Kind: RecordKind.Directory }) throw new NotAFileException(file.Path);

        var ino = existing?.Child ?? file.BlockInode;
        GenerationTable.Create(txn, file.Gen, new GenerationRecord(0, wsId, file.BlockInode, file.Size, file.ChunkSize, file.Chunks.Count), file.Chunks);
        foreach (var chunk in file.Chunks.Where(c => !c.MintedBy(file.Gen))) NoKV.Blocks.BlockRefTable.AddBorrower(txn, chunk);
        writer.PutInode(ino, new InodeRecord(RecordKind.File, parent, name, file.Gen, file.Size, file.ChunkSize, DateTime.UtcNow.Ticks));
        if (existing is null) writer.PutDentry(parent, name, new DentryRecord(ino, RecordKind.File));
        NoKV.Blocks.PendingGenerations.Published(txn, file.Gen);
    }

    internal void MoveIn(string wsPath, long wsId, string from, string to)
    {
        var fromSegments = PathRules.Split(from, nameof(from));
        var toSegments = PathRules.Split(to, nameof(to));
        var fromPath = PathRules.Join(fromSegments);
        var toPath = PathRules.Join(toSegments);
        if (fromSegments.Length == 0) throw new InvalidMoveException(from, to, "the workspace root cannot be moved");
        if (toSegments.Length == 0) throw new InvalidMoveException(from, to, "the destination is the workspace root");
        if (fromPath == toPath) { StatIn(txn => HeadView(txn, GetWorkspace(txn, wsPath, wsId)), from); return; }
        if (PathRules.IsSameOrBelow(toPath, fromPath)) throw new InvalidMoveException(from, to, "a directory cannot move into itself or its own descendant");

        WithHead(wsPath, wsId, (writer, _) =>
        {
            var txn = writer.Txn;
            var view = writer.View;
            var (ino, record) = NodeReader.Resolve(txn, view, fromSegments, from);
            var (toParent, toParentRecord) = NodeReader.Resolve(txn, view, toSegments[..^1], PathRules.Join(toSegments[..^1]));
            if (!toParentRecord.IsDirectory) throw new NotADirectoryException(PathRules.Join(toSegments[..^1]));
            var toName = PathRules.NameBytes(toSegments[^1]);
            if (NodeReader.Dentry(txn, view, toParent, toName) is not null) throw new PathAlreadyExistsException(to);
            // Everything below a moved directory moves with it. Deeper or longer than where it
            // was, its subtree is walked (O(subtree)) so that no node lands beyond the limits.
            if (record.IsDirectory && !NoKV.Namespace.SubtreeFit.NoWalkNeeded(fromSegments, toSegments))
                NoKV.Namespace.SubtreeFit.Ensure(txn, view, ino, isDirectory: true, toSegments);

            writer.RemoveDentry(record.Parent, record.Name);
            writer.PutDentry(toParent, toName, new DentryRecord(ino, record.Kind));
            writer.PutInode(ino, record with { Parent = toParent, Name = toName, ModifiedUtcTicks = DateTime.UtcNow.Ticks });
            return true;
        });
    }

    internal void DeleteIn(string wsPath, long wsId, string path, bool recursive)
    {
        var segments = PathRules.Split(path);
        if (segments.Length == 0) throw new InvalidPathException(path, "the workspace root cannot be deleted; use WorkspaceStore.DeleteWorkspace");
        WithHead(wsPath, wsId, (writer, _) =>
        {
            var (ino, record) = NodeReader.Resolve(writer.Txn, writer.View, segments, path);
            if (record.IsDirectory && NodeReader.HasChildren(writer.Txn, writer.View, ino))
            {
                if (!recursive) throw new DirectoryNotEmptyException(path);
                DeleteChildren(writer, ino);
            }
            writer.RemoveDentry(record.Parent, record.Name);
            writer.RemoveInode(ino);
            return true;
        });
    }

    /// <summary>Removes a directory's whole subtree from the head, so nothing unreachable keeps blocks alive.</summary>
    private static void DeleteChildren(HeadWriter writer, long directory)
    {
        foreach (var (name, entry) in NodeReader.Children(writer.Txn, writer.View, directory))
        {
            if (entry.Kind == RecordKind.Directory) DeleteChildren(writer, entry.Child);
            writer.RemoveDentry(directory, name);
            writer.RemoveInode(entry.Child);
        }
    }
}
