using System.Runtime.CompilerServices;
using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;

namespace NoKV.Engine;

/// <summary>
/// Namespace changes of a workspace, each one metadata transaction on its head layer: by
/// (directory inode, name) for front ends that hold inode numbers (create, mkdir, unlink, rmdir,
/// rename, symlink, setattr), and by path, composed of the same steps.
/// </summary>
internal sealed class NamespaceMutations(WorkspaceStore store)
{
    /// <summary>Runs <paramref name="body"/> on the workspace's head in one write transaction, and counts a new version.</summary>
    public T WithHead<T>(WorkspaceRef ws, Func<HeadWriter, WorkspaceRecord, T> body, [CallerMemberName] string operation = "")
    {
        var changes = store.Changes.Recorder();
        var result = store.Write(txn =>
        {
            var record = ws.WritableRecord(txn);
            var writer = new HeadWriter(txn, WorkspaceStore.HeadView(txn, record)) { Changes = changes };
            var value = body(writer, record);
            writer.Complete();
            WorkspaceStore.NextVersion(txn);
            return value;
        }, operation);
        if (changes is not null) store.Changes.Raise(changes.ToChange(ws.Path));
        return result;
    }

    /// <summary>A namespace change (not a file version): one write transaction, timed as an edit.</summary>
    private T Change<T>(WorkspaceRef ws, Func<HeadWriter, WorkspaceRecord, T> body, [CallerMemberName] string operation = "")
    {
        using var op = store.Telemetry.Start(Diagnostics.StoreOperation.Edit, ws.Path);
        return op.Complete(WithHead(ws, body, operation));
    }

    public NodeAttributes MakeDirectory(WorkspaceRef ws, long parent, string name) =>
        CreateNode(ws, parent, name, RecordKind.Directory);

    /// <summary>Creates an empty file (a version with no bytes).</summary>
    public NodeAttributes CreateFile(WorkspaceRef ws, long parent, string name) =>
        CreateNode(ws, parent, name, RecordKind.File);

    public void Unlink(WorkspaceRef ws, long parent, string name) =>
        Change(ws, (writer, _) => { NamespaceEdits.Remove(writer, parent, name, RemoveMode.File); return true; });

    public void RemoveDirectory(WorkspaceRef ws, long parent, string name) =>
        Change(ws, (writer, _) => { NamespaceEdits.Remove(writer, parent, name, RemoveMode.EmptyDirectory); return true; });

    /// <inheritdoc cref="NamespaceEdits.Rename"/>
    public void Rename(WorkspaceRef ws, long parent, string name, long newParent, string newName, bool replace) =>
        Change(ws, (writer, _) => { NamespaceEdits.Rename(writer, parent, name, newParent, newName, replace); return true; });

    /// <summary>symlink: a link named <paramref name="name"/> in <paramref name="parent"/> to <paramref name="target"/>, stored as given.</summary>
    public NodeAttributes CreateSymbolicLink(WorkspaceRef ws, long parent, string name, string target)
    {
        var targetBytes = PathRules.LinkTargetBytes(target, nameof(target));
        return CreateNode(ws, parent, name, RecordKind.SymbolicLink, targetBytes);
    }

    /// <summary>setattr: the attributes <paramref name="change"/> names; the change time becomes now.</summary>
    public NodeAttributes SetAttributes(WorkspaceRef ws, long ino, AttributeChange change) =>
        Change(ws, (writer, _) => NodeAttributes.Of(ino, NamespaceEdits.SetAttributes(writer, ino, change)));

    /// <summary>A symbolic link at a path that must not exist, under a directory that must.</summary>
    public NodeInfo CreateSymbolicLink(WorkspaceRef ws, string path, string target)
    {
        var segments = PathRules.Split(path);
        var normalized = PathRules.Join(segments);
        if (segments.Length == 0) throw new PathAlreadyExistsException(normalized);
        var targetBytes = PathRules.LinkTargetBytes(target, nameof(target));
        return Change(ws, (writer, record) =>
        {
            var parent = NamespaceTree.ResolveParent(writer.Txn, writer.View, segments);
            var ino = NamespaceEdits.Create(writer, store.Ids, parent, segments[^1], RecordKind.SymbolicLink, record.Id, store.ChunkSize, targetBytes);
            return NodeAttributes.Of(ino, NamespaceTree.Node(writer.Txn, writer.View, ino)).ToNodeInfo(segments[^1], normalized);
        });
    }

    /// <summary>The attributes <paramref name="change"/> names, of the node at a path (never through a link).</summary>
    public NodeInfo SetAttributes(WorkspaceRef ws, string path, AttributeChange change)
    {
        var segments = PathRules.Split(path);
        var normalized = PathRules.Join(segments);
        return Change(ws, (writer, _) =>
        {
            var (ino, _) = NamespaceTree.Resolve(writer.Txn, writer.View, segments, path);
            return NodeAttributes.Of(ino, NamespaceEdits.SetAttributes(writer, ino, change, normalized)).ToNodeInfo(segments.Length == 0 ? "" : segments[^1], normalized);
        });
    }

    /// <summary>mkdir -p.</summary>
    public void CreateDirectory(WorkspaceRef ws, string path)
    {
        var segments = PathRules.Split(path);
        Change(ws, (writer, _) => NamespaceEdits.EnsureDirectory(writer, store.Ids, segments));
    }

    /// <summary>Moves a node to a path that must not exist, under a parent that must.</summary>
    public void Move(WorkspaceRef ws, string from, string to)
    {
        var fromSegments = PathRules.Split(from, nameof(from));
        var toSegments = PathRules.Split(to, nameof(to));
        var fromPath = PathRules.Join(fromSegments);
        var toPath = PathRules.Join(toSegments);
        if (fromSegments.Length == 0) throw new InvalidMoveException(from, to, "the workspace root cannot be moved");
        if (toSegments.Length == 0) throw new InvalidMoveException(from, to, "the destination is the workspace root");
        if (fromPath == toPath)
        {
            store.Read(txn => NamespaceTree.Resolve(txn, ws.WritableHeadView(txn), fromSegments, from)); // exists (or throws), and may be written
            return;
        }
        if (PathRules.IsSameOrBelow(toPath, fromPath)) throw new InvalidMoveException(from, to, "a directory cannot move into itself or its own descendant");

        Change(ws, (writer, _) =>
        {
            var (_, record) = NamespaceTree.Resolve(writer.Txn, writer.View, fromSegments, from);
            var toParent = NamespaceTree.ResolveParent(writer.Txn, writer.View, toSegments);
            NamespaceEdits.Rename(writer, record.Parent, fromSegments[^1], toParent, toSegments[^1], replace: false, from, to);
            return true;
        });
    }

    /// <summary>Deletes a file, or a directory (with everything below it when <paramref name="recursive"/>).</summary>
    public void Delete(WorkspaceRef ws, string path, bool recursive)
    {
        var segments = PathRules.Split(path);
        if (segments.Length == 0) throw new InvalidPathException(path, "the workspace root cannot be deleted; use WorkspaceStore.DeleteWorkspace");
        Change(ws, (writer, _) =>
        {
            var (_, record) = NamespaceTree.Resolve(writer.Txn, writer.View, segments, path);
            NamespaceEdits.Remove(writer, record.Parent, segments[^1], recursive ? RemoveMode.Recursive : RemoveMode.EmptyDirectoryOrFile, path);
            return true;
        });
    }

    private NodeAttributes CreateNode(WorkspaceRef ws, long parent, string name, RecordKind kind, byte[]? linkTarget = null) => Change(ws, (writer, record) =>
    {
        var ino = NamespaceEdits.Create(writer, store.Ids, parent, name, kind, record.Id, store.ChunkSize, linkTarget);
        return NodeAttributes.Of(ino, NamespaceTree.Node(writer.Txn, writer.View, ino));
    });
}
