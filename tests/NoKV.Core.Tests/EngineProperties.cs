using FsCheck;
using FsCheck.Fluent;
using NoKV.Engine;

namespace NoKV.Tests;

/// <summary>
/// The inode-level engine (what a mount and a server call) against an in-memory model of a POSIX
/// tree: random sequences of create, mkdir, symlink, unlink, rmdir, rename (with and without
/// replace), writes at random offsets across chunk boundaries, truncates and chmod (setattr),
/// each by (directory inode, name) or by inode. Every operation must succeed or fail exactly as the model says, with the
/// model's exception type, and after every step the tree, read back by readdir in random page
/// sizes, getattr and reads by inode, must equal the model. At the end the store verifies
/// clean, before and after a full GC. NOKV_ENGINE_COUNT sets the number of sequences (default 40).
/// </summary>
public sealed class EngineProperties
{
    private static readonly string[] Names = ["a", "b", "c"];

    /// <summary>One step: a kind, two paths (built from three names, up to three deep) and numbers.</summary>
    internal sealed record EngineStep(string Kind, string Path, string Other, bool Replace, int Offset, int Length, int Seed)
    {
        /// <summary>A symlink step's target: relative, absolute or dangling, never resolved.</summary>
        public string Target => (Seed % 3) switch { 0 => Other[1..], 1 => Other, _ => "../" + Seed };

        /// <summary>A chmod step's permission bits (any of 07777).</summary>
        public int Mode => Seed & 0xFFF;

        public override string ToString() => Kind switch
        {
            "rename" => $"rename {Path} -> {Other}{(Replace ? " (replace)" : "")}",
            "write" => $"write {Path} @{Offset} +{Length}",
            "truncate" => $"truncate {Path} to {Length}",
            "symlink" => $"symlink {Path} -> {Target}",
            "chmod" => $"chmod {Mode} {Path}",
            _ => $"{Kind} {Path}",
        };
    }

    private static readonly Gen<string> AnyPath =
        from depth in Gen.Choose(1, 3)
        from names in Gen.ArrayOf(Gen.Elements(Names), depth)
        select "/" + string.Join('/', names);

    private static readonly Gen<EngineStep> AnyStep =
        from kind in Gen.Frequency(
            (3, Gen.Constant("mkdir")), (3, Gen.Constant("create")), (1, Gen.Constant("unlink")), (1, Gen.Constant("rmdir")),
            (3, Gen.Constant("rename")), (5, Gen.Constant("write")), (2, Gen.Constant("truncate")),
            (2, Gen.Constant("symlink")), (2, Gen.Constant("chmod")))
        from path in AnyPath
        from other in AnyPath
        from replace in Gen.Elements(true, false)
        from offset in Gen.Frequency((2, Gen.Choose(0, 9000)), (1, Gen.Elements(0, 4095, 4096, 8192)))
        from length in Gen.Frequency((3, Gen.Choose(0, 6000)), (1, Gen.Elements(1, 4096, 4097)))
        from seed in Gen.Choose(0, 1_000_000)
        select new EngineStep(kind, path, other, replace, offset, length, seed);

    [Fact]
    public void Inode_operations_do_what_a_posix_tree_does()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOKV_ENGINE_COUNT"), out var c) ? c : 40;
        Prop.ForAll(Arb.From(Gen.ListOf(AnyStep, 30).Select(s => s.ToArray())), steps => Run(steps))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true));
    }

    private static void Run(EngineStep[] steps)
    {
        using var temp = new TempStore(inlineThreshold: TempStore.ProductInline);
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        var target = new WorkspaceRef(ws.Path, 0);
        var model = new SortedDictionary<string, ModelNode>(StringComparer.Ordinal) { ["/"] = ModelNode.Directory };
        var random = new Random(steps.Length);
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            var expected = Expect(model, step);
            if (expected.Error == typeof(Unreachable)) continue;
            Type? actual = null;
            try { Apply(store, ws, target, model, step); }
            catch (Exception e) when (e is NoKVException or ArgumentException) { actual = e.GetType(); }
            if (expected.Error != actual)
                throw new InvalidOperationException($"step {i} ({step}): expected {expected.Error?.Name ?? "success"}, got {actual?.Name ?? "success"}; steps: {string.Join("; ", steps.Take(i + 1))}");
            if (actual is null) expected.Change?.Invoke();
            CompareTree(store, ws, model, random, $"after step {i} ({step})");
        }
        Assert.True(store.Verify().IsHealthy);
        store.CollectGarbage(GcMode.Full);
        Assert.True(store.Verify().IsHealthy);
        CompareTree(store, ws, model, random, "after a full GC");
    }

    /// <summary>Calls the engine for a step; parents and nodes are found by lookups from the root inode.</summary>
    private static void Apply(WorkspaceStore store, Workspace ws, WorkspaceRef target, SortedDictionary<string, ModelNode> model, EngineStep step)
    {
        var (parentPath, name) = Split(step.Path);
        switch (step.Kind)
        {
            case "mkdir": store.Mutations.MakeDirectory(target, Inode(store, ws, parentPath), name); break;
            case "create": store.Mutations.CreateFile(target, Inode(store, ws, parentPath), name); break;
            case "unlink": store.Mutations.Unlink(target, Inode(store, ws, parentPath), name); break;
            case "rmdir": store.Mutations.RemoveDirectory(target, Inode(store, ws, parentPath), name); break;
            case "rename":
                var (toParent, toName) = Split(step.Other);
                store.Mutations.Rename(target, Inode(store, ws, parentPath), name, Inode(store, ws, toParent), toName, step.Replace);
                break;
            case "write":
                store.Content.WriteAt(target, Inode(store, ws, step.Path), step.Offset, TestData.Bytes(step.Length, step.Seed), CancellationToken.None).GetAwaiter().GetResult();
                break;
            case "truncate":
                store.Content.Truncate(target, Inode(store, ws, step.Path), step.Length, CancellationToken.None).GetAwaiter().GetResult();
                break;
            case "symlink": store.Mutations.CreateSymbolicLink(target, Inode(store, ws, parentPath), name, step.Target); break;
            case "chmod": store.Mutations.SetAttributes(target, Inode(store, ws, step.Path), new AttributeChange(Mode: step.Mode)); break;
        }
    }

    /// <summary>The inode at a path, by lookups from the root (as the kernel resolves names); the path must exist.</summary>
    private static long Inode(WorkspaceStore store, Workspace ws, string path)
    {
        var ino = ws.RootInode;
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            ino = store.Queries.Lookup(ws.ViewOf, ino, System.Text.Encoding.UTF8.GetBytes(segment))!.Value.Inode;
        return ino;
    }

    /// <summary>What the model says a step does: the exception it throws, or the change it makes.</summary>
    private static (Type? Error, Action? Change) Expect(SortedDictionary<string, ModelNode> model, EngineStep step)
    {
        var (parent, _) = Split(step.Path);
        bool Exists(string p) => model.ContainsKey(p);
        bool IsDir(string p) => model.TryGetValue(p, out var v) && v.IsDirectory;
        bool IsLink(string p) => model.TryGetValue(p, out var v) && v.Link is not null;
        bool HasChildren(string p) => model.Keys.Any(k => k != p && k.StartsWith(p == "/" ? "/" : p + "/", StringComparison.Ordinal));
        (Type?, Action?) Fail<T>() => (typeof(T), null);

        // Steps name parents (and written files) by path; the test reaches them by lookups, so a
        // step whose parent (or file) is missing cannot be expressed by inode and is skipped.
        switch (step.Kind)
        {
            case "mkdir" or "create" or "symlink":
                if (!Exists(parent)) return (typeof(Unreachable), null);
                if (!IsDir(parent)) return Fail<NotADirectoryException>();
                if (Exists(step.Path)) return Fail<PathAlreadyExistsException>();
                return (null, () => model[step.Path] = step.Kind switch
                {
                    "mkdir" => ModelNode.Directory,
                    "create" => ModelNode.File([]),
                    _ => ModelNode.SymbolicLink(step.Target),
                });
            case "chmod":
                if (!Exists(step.Path)) return (typeof(Unreachable), null);
                if (IsLink(step.Path)) return Fail<OperationNotSupportedException>();
                return (null, () => model[step.Path] = model[step.Path] with { Mode = step.Mode });
            case "unlink":
                if (!Exists(parent)) return (typeof(Unreachable), null);
                if (!IsDir(parent)) return Fail<NotADirectoryException>();
                if (!Exists(step.Path)) return Fail<PathNotFoundException>();
                if (IsDir(step.Path)) return Fail<NotAFileException>();
                return (null, () => model.Remove(step.Path));
            case "rmdir":
                if (!Exists(parent)) return (typeof(Unreachable), null);
                if (!IsDir(parent)) return Fail<NotADirectoryException>();
                if (!Exists(step.Path)) return Fail<PathNotFoundException>();
                if (!IsDir(step.Path)) return Fail<NotADirectoryException>();
                if (HasChildren(step.Path)) return Fail<DirectoryNotEmptyException>();
                return (null, () => model.Remove(step.Path));
            case "rename":
                var (toParent, _) = Split(step.Other);
                if (!Exists(parent) || !Exists(toParent)) return (typeof(Unreachable), null);
                if (!IsDir(parent)) return Fail<NotADirectoryException>();
                if (!Exists(step.Path)) return Fail<PathNotFoundException>();
                if (!IsDir(toParent)) return Fail<NotADirectoryException>();
                if (step.Path == step.Other) return (null, null);
                var moving = IsDir(step.Path);
                if (moving && (toParent == step.Path || toParent.StartsWith(step.Path + "/", StringComparison.Ordinal))) return Fail<InvalidMoveException>();
                if (Exists(step.Other))
                {
                    if (!step.Replace) return Fail<PathAlreadyExistsException>();
                    if (moving && !IsDir(step.Other)) return Fail<NotADirectoryException>();
                    if (!moving && IsDir(step.Other)) return Fail<NotAFileException>();
                    if (IsDir(step.Other) && HasChildren(step.Other)) return Fail<DirectoryNotEmptyException>();
                }
                return (null, () =>
                {
                    model.Remove(step.Other);
                    foreach (var key in model.Keys.Where(k => k == step.Path || k.StartsWith(step.Path + "/", StringComparison.Ordinal)).ToList())
                    {
                        var value = model[key];
                        model.Remove(key);
                        model[step.Other + key[step.Path.Length..]] = value;
                    }
                });
            default: // write, truncate: by the file's inode
                if (!Exists(step.Path)) return (typeof(Unreachable), null);
                if (IsDir(step.Path) || IsLink(step.Path)) return Fail<NotAFileException>();
                return (null, () =>
                {
                    var old = model[step.Path].Bytes!;
                    if (step.Kind == "truncate")
                    {
                        var cut = new byte[step.Length];
                        old.AsSpan(0, Math.Min(old.Length, cut.Length)).CopyTo(cut);
                        model[step.Path] = model[step.Path] with { Bytes = cut };
                        return;
                    }
                    var data = TestData.Bytes(step.Length, step.Seed);
                    var updated = new byte[Math.Max(old.Length, step.Offset + data.Length)];
                    old.CopyTo(updated, 0);
                    data.CopyTo(updated, step.Offset);
                    model[step.Path] = model[step.Path] with { Bytes = updated };
                });
        }
    }

    /// <summary>The tree read back through the engine: readdir pages of random size, getattr and reads by inode.</summary>
    private static void CompareTree(WorkspaceStore store, Workspace ws, SortedDictionary<string, ModelNode> model, Random random, string when)
    {
        var seen = new SortedDictionary<string, ModelNode>(StringComparer.Ordinal) { ["/"] = model["/"] };
        void Walk(long directory, string path)
        {
            byte[]? after = null;
            do
            {
                var page = store.Queries.ReadDirectory(ws.ViewOf, directory, after, random.Next(1, 4));
                foreach (var entry in page.Entries)
                {
                    var childPath = path == "/" ? "/" + entry.NameText : path + "/" + entry.NameText;
                    var attributes = store.Queries.GetAttributes(ws.ViewOf, entry.Inode);
                    Assert.Equal(entry.Kind, attributes.Kind);
                    Assert.Equal(directory, attributes.Parent);
                    var mode = (int)attributes.Mode;
                    if (entry.Kind == NodeKind.Directory)
                    {
                        seen[childPath] = ModelNode.Directory with { Mode = mode };
                        Walk(entry.Inode, childPath);
                        continue;
                    }
                    if (entry.Kind == NodeKind.SymbolicLink)
                    {
                        var target = System.Text.Encoding.UTF8.GetString(attributes.LinkTarget!);
                        Assert.Equal(attributes.Size, attributes.LinkTarget!.Length);
                        Assert.Throws<NotAFileException>(() => store.Content.OpenRead(ws.ViewOf, entry.Inode, snapshotId: 0));
                        seen[childPath] = ModelNode.SymbolicLink(target) with { Mode = mode };
                        continue;
                    }
                    using var stream = store.Content.OpenRead(ws.ViewOf, entry.Inode, snapshotId: 0);
                    var bytes = new byte[stream.Length];
                    stream.ReadExactly(bytes);
                    Assert.Equal(attributes.Size, bytes.Length);
                    seen[childPath] = ModelNode.File(bytes) with { Mode = mode };
                }
                after = page.Next;
            }
            while (after is not null);
        }
        Walk(ws.RootInode, "/");
        var expected = string.Join("\n", model.Where(e => e.Key != "/").Select(e => $"{e.Key} {e.Value}"));
        var actual = string.Join("\n", seen.Where(e => e.Key != "/").Select(e => $"{e.Key} {e.Value}"));
        if (expected != actual) throw new InvalidOperationException($"{when}: the tree differs from the model.\nexpected:\n{expected}\nactual:\n{actual}");
    }

    /// <summary>A node of the model: a directory, a file's bytes or a link's target, and its mode.</summary>
    private sealed record ModelNode(bool IsDirectory, byte[]? Bytes, string? Link, int Mode)
    {
        public static readonly ModelNode Directory = new(true, null, null, 0x1ED);

        public static ModelNode File(byte[] bytes) => new(false, bytes, null, 0x1A4);

        public static ModelNode SymbolicLink(string target) => new(false, null, target, 0x1FF);

        public override string ToString() =>
            (IsDirectory ? "dir" : Link is not null ? "-> " + Link : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Bytes!))) + $" {Mode:x3}";
    }

    /// <summary>Marks a step whose parent or file does not exist, so it has no inode to act on.</summary>
    private sealed class Unreachable;

    private static (string Parent, string Name) Split(string path)
    {
        var cut = path.LastIndexOf('/');
        return (cut == 0 ? "/" : path[..cut], path[(cut + 1)..]);
    }
}
