using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests.Model;

/// <summary>
/// One edit of a tree's shape or attributes, for the attribute properties: Kind picks what
/// (see <see cref="AttributeEdits.Apply"/>), the two arguments pick a seed, mode, id, time or
/// link target from <see cref="ModelGen"/>'s lists.
/// </summary>
public sealed record AttributeEdit(AttributeEditKind Kind, string Path, int A, int B);

public enum AttributeEditKind { Write, MakeDirectory, CreateLink, ChangeMode, ChangeOwner, Touch, Delete, Relink }

/// <summary>
/// Applies <see cref="AttributeEdit"/>s to a workspace and a <see cref="ModelTree"/> alike (an
/// edit the model says would be refused is skipped), and compares a view with a model tree by
/// kind, bytes, length, mode, owner, group and link target, the root included.
/// </summary>
public static class AttributeEdits
{
    private static readonly int ValidTargets = ModelGen.LinkTargets.Length - 3;
    private const int ValidModes = 7; // ModelGen.ModeBits' first seven are within 07777
    private const int ValidIds = 4; // ModelGen.Ids' first four are valid ids

    public static Gen<AttributeEdit> Edits(string[] paths, bool structural = true) =>
        from kind in structural
            ? Gen.Frequency(
                (4, Gen.Constant(AttributeEditKind.Write)), (2, Gen.Constant(AttributeEditKind.MakeDirectory)),
                (3, Gen.Constant(AttributeEditKind.CreateLink)), (3, Gen.Constant(AttributeEditKind.ChangeMode)),
                (2, Gen.Constant(AttributeEditKind.ChangeOwner)), (2, Gen.Constant(AttributeEditKind.Touch)),
                (1, Gen.Constant(AttributeEditKind.Delete)), (2, Gen.Constant(AttributeEditKind.Relink)))
            : Gen.Elements(AttributeEditKind.Write, AttributeEditKind.ChangeMode, AttributeEditKind.ChangeOwner, AttributeEditKind.Touch, AttributeEditKind.Relink)
        from path in Gen.Elements(paths)
        from a in Gen.Choose(0, 20)
        from b in Gen.Choose(0, 20)
        select new AttributeEdit(kind, path, a, b);

    /// <summary>Shrinks a list of edits by dropping one.</summary>
    public static IEnumerable<AttributeEdit[]> Without(AttributeEdit[] edits) =>
        Enumerable.Range(0, edits.Length).Select(i => edits.Where((_, j) => j != i).ToArray());

    /// <summary>Applies an edit to both the workspace and the model when the model says it is valid; returns whether it did.</summary>
    public static bool Apply(Workspace ws, ModelTree tree, AttributeEdit edit, ref long version)
    {
        var path = edit.Path;
        var parent = path == "/" ? "/" : ModelTree.Parent(path);
        switch (edit.Kind)
        {
            case AttributeEditKind.Write when path != "/" && tree.IsDir(parent) && (!tree.Exists(path) || tree.IsFile(path)):
                var data = TestData.Bytes(edit.A * 3, edit.B);
                ws.WriteAllBytesAsync(path, data).GetAwaiter().GetResult();
                tree.Nodes[path] = tree.Nodes.TryGetValue(path, out var old) ? old with { Data = data, Version = ++version } : new ModelNode(NodeKind.File, data, ++version);
                return true;
            case AttributeEditKind.MakeDirectory when path != "/" && ModelTree.Prefixes(path).TakeWhile(tree.Exists).All(tree.IsDir) && !tree.Exists(path):
                ws.CreateDirectory(path);
                foreach (var prefix in ModelTree.Prefixes(path).Where(p => !tree.Exists(p))) tree.Nodes[prefix] = new ModelNode(NodeKind.Directory, null, 0);
                return true;
            case AttributeEditKind.CreateLink when path != "/" && tree.IsDir(parent) && !tree.Exists(path):
                var target = ModelGen.LinkTargets[edit.A % ValidTargets];
                ws.CreateSymbolicLink(path, target);
                tree.Nodes[path] = new ModelNode(NodeKind.SymbolicLink, null, ++version) { LinkTarget = target };
                return true;
            case AttributeEditKind.ChangeMode when tree.Exists(path) && !tree.IsLink(path):
                var mode = (UnixFileMode)ModelGen.ModeBits[edit.A % ValidModes];
                ws.SetUnixFileMode(path, mode);
                tree.Set(path, tree.At(path) with { Mode = mode });
                return true;
            case AttributeEditKind.ChangeOwner when tree.Exists(path):
                var (uid, gid) = (ModelGen.Ids[edit.A % ValidIds], ModelGen.Ids[edit.B % ValidIds]);
                ws.SetOwner(path, uid, gid);
                tree.Set(path, tree.At(path) with { OwnerId = uid, GroupId = gid });
                return true;
            case AttributeEditKind.Touch when tree.Exists(path):
                ws.SetLastWriteTime(path, ModelGen.Times[edit.A % ModelGen.Times.Length]); // a time is no attribute a diff sees
                return true;
            case AttributeEditKind.Delete when path != "/" && tree.Exists(path):
                ws.Delete(path, recursive: true);
                foreach (var p in tree.Subtree(path)) tree.Nodes.Remove(p);
                return true;
            case AttributeEditKind.Relink when tree.IsLink(path):
                var newTarget = ModelGen.LinkTargets[edit.A % ValidTargets];
                ws.Delete(path);
                ws.CreateSymbolicLink(path, newTarget);
                tree.Nodes[path] = new ModelNode(NodeKind.SymbolicLink, null, ++version) { LinkTarget = newTarget }; // a new link: default owner
                return true;
            default:
                return false;
        }
    }

    /// <summary>A view as a model tree (attributes, bytes, link targets; file versions are generations).</summary>
    public static ModelTree ModelOf(Func<string, IReadOnlyList<NodeInfo>> list, Func<string, NodeInfo> stat, Func<string, byte[]> read)
    {
        static ModelNode Node(NodeInfo n, Func<string, byte[]> read) => new(n.Kind, n.Kind == NodeKind.File ? read(n.Path) : null, n.Generation)
        {
            Mode = n.Mode, OwnerId = n.OwnerId, GroupId = n.GroupId, LinkTarget = n.LinkTarget,
        };
        var tree = new ModelTree { Root = Node(stat("/"), read) };
        var pending = new Stack<string>(["/"]);
        while (pending.TryPop(out var dir))
        {
            foreach (var node in list(dir))
            {
                tree.Nodes[node.Path] = Node(node, read);
                if (node.Kind == NodeKind.Directory) pending.Push(node.Path);
            }
        }
        return tree;
    }

    public static ModelTree ModelOf(Workspace ws) => ModelOf(ws.List, ws.Stat, p => ws.ReadAllBytesAsync(p).GetAwaiter().GetResult());

    public static ModelTree ModelOf(SnapshotPin pin) => ModelOf(pin.List, pin.Stat, p => pin.ReadAllBytesAsync(p).GetAwaiter().GetResult());

    /// <summary>Each path with its kind, bytes, length, mode, owner, group and link target, as one comparable line.</summary>
    public static List<string> Describe(ModelTree tree) =>
        [.. new[] { "/" }.Concat(tree.Nodes.Keys).Select(path =>
        {
            var n = tree.At(path);
            var content = n.Kind == NodeKind.File ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(n.Data!))[..12] : "";
            return $"{path} {n.Kind} len={n.Length} mode={Convert.ToString((int)n.Mode, 8)} uid={n.OwnerId} gid={n.GroupId} -> {n.LinkTarget} {content}";
        })];

    /// <summary>The view reads exactly as the model: same paths, kinds, bytes and attributes.</summary>
    public static void AssertSame(ModelTree expected, ModelTree actual, string where) =>
        Assert.True(Describe(expected).SequenceEqual(Describe(actual)),
            $"{where}:\nexpected\n  {string.Join("\n  ", Describe(expected))}\nactual\n  {string.Join("\n  ", Describe(actual))}");
}
