namespace NoKV.Tests.Model;

/// <summary>
/// The runner's steps on symbolic links, permission bits, owners and modification times, and
/// reads that must be refused: NoKV never follows a link, so a link in the middle of a path is
/// not a directory and a link itself is not a file.
/// </summary>
public sealed partial class ModelRunner
{
    private partial bool AttributeStep(ModelOp op)
    {
        switch (op)
        {
            case CreateLink(var w, var path, var targetIndex):
            {
                var target = ModelGen.LinkTargets[targetIndex];
                // NoKV refuses the root first (it always exists), then checks the target, then resolves the path.
                var error = !_workspaces.ContainsKey(Ws(w)) ? Refusal.Of<WorkspaceNotFoundException>()
                    : path == "/" ? Refusal.Of<PathAlreadyExistsException>()
                    : !ModelGen.IsValidTarget(targetIndex) ? Refusal.Of<InvalidPathException>()
                    : ReadOnlyError(w) ?? CreateError(w, path);
                Expect(error,
                    () => Store.OpenWorkspace(Ws(w)).CreateSymbolicLink(path, target),
                    () =>
                    {
                        var tree = _workspaces[Ws(w)].Tree;
                        tree.Nodes[path] = Now(new ModelNode(NodeKind.SymbolicLink, null, ++_version) { LinkTarget = target });
                        EntriesChanged(tree, ModelTree.Parent(path));
                    });
                return true;
            }

            case ChangeMode(var w, var path, var bits):
            {
                var error = !_workspaces.TryGetValue(Ws(w), out var ws) ? Refusal.Of<WorkspaceNotFoundException>()
                    : (bits & ~0xFFF) != 0 ? Refusal.Of<ArgumentOutOfRangeException>()
                    : ReadOnlyError(w) ?? ws.Tree.ResolveRefusal(path)
                    ?? (ws.Tree.IsLink(path) ? Refusal.Of<OperationNotSupportedException>() : null);
                Expect(error,
                    () => Store.OpenWorkspace(Ws(w)).SetUnixFileMode(path, (UnixFileMode)bits),
                    () => MetadataChanged(ws!.Tree, path, node => node with { Mode = (UnixFileMode)bits }));
                return true;
            }

            case ChangeOwner(var w, var path, var uid, var gid):
            {
                var error = !_workspaces.TryGetValue(Ws(w), out var ws) ? Refusal.Of<WorkspaceNotFoundException>()
                    : !ModelGen.IsValidId(uid) || !ModelGen.IsValidId(gid) ? Refusal.Of<ArgumentOutOfRangeException>()
                    : ReadOnlyError(w) ?? ws.Tree.ResolveRefusal(path);
                Expect(error,
                    () => Store.OpenWorkspace(Ws(w)).SetOwner(path, uid, gid),
                    () => MetadataChanged(ws!.Tree, path, node => node with { OwnerId = uid, GroupId = gid }));
                return true;
            }

            case SetWriteTime(var w, var path, var timeIndex):
            {
                var time = ModelGen.Times[timeIndex];
                var error = !_workspaces.TryGetValue(Ws(w), out var ws) ? Refusal.Of<WorkspaceNotFoundException>() : ReadOnlyError(w) ?? ws.Tree.ResolveRefusal(path);
                Expect(error,
                    () => Store.OpenWorkspace(Ws(w)).SetLastWriteTime(path, time),
                    () => MetadataChanged(ws!.Tree, path, node => node with { LastWriteTime = ModelTime.Exactly(time.UtcTicks) }));
                return true;
            }

            case ReadNode(var w, var path):
            {
                if (!_workspaces.TryGetValue(Ws(w), out var ws))
                {
                    Expect(Refusal.Of<WorkspaceNotFoundException>(), () => Store.OpenWorkspace(Ws(w)), () => { });
                    return true;
                }
                var workspace = Store.OpenWorkspace(Ws(w));
                var tree = ws.Tree;
                var resolve = tree.ResolveRefusal(path);
                NodeInfo? stat = null;
                Expect(resolve, () => stat = workspace.Stat(path), () => Assert.Equal(tree.At(path).Kind, stat!.Kind));
                Expect(resolve ?? (tree.IsDir(path) ? null : Refusal.Of<NotADirectoryException>(tree.At(path).Kind)), () => workspace.List(path), () => { });
                byte[]? bytes = null;
                Expect(resolve ?? (tree.IsFile(path) ? null : Refusal.Of<NotAFileException>(tree.At(path).Kind)),
                    () => bytes = workspace.ReadAllBytesAsync(path).GetAwaiter().GetResult(),
                    () => Assert.Equal(tree.At(path).Data, bytes));
                return true;
            }

            default:
                return false;
        }
    }

    /// <summary>What creating a new node at a path raises: the parent must resolve and be a directory, and the name be free.</summary>
    private Refusal? CreateError(int w, string path)
    {
        var tree = _workspaces[Ws(w)].Tree;
        var parent = ModelTree.Parent(path);
        if (tree.ResolveRefusal(parent) is { } error) return error;
        if (!tree.IsDir(parent)) return Refusal.Of<NotADirectoryException>(tree.At(parent).Kind);
        return tree.Exists(path) ? Refusal.Of<PathAlreadyExistsException>() : null;
    }

    /// <summary>chmod, chown or touch: the change, and the change time moves (the modification time stays unless set).</summary>
    private void MetadataChanged(ModelTree tree, string path, Func<ModelNode, ModelNode> change) =>
        tree.Set(path, change(tree.At(path)) with { ChangeTime = ModelTime.AtLeast(_stepStarted) });
}
