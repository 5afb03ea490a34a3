using FsCheck;
using FsCheck.Fluent;
using NoKV.Layers;
using NoKV.Paths;
using Xunit.Abstractions;

namespace NoKV.Tests;

/// <summary>
/// Random trees near the path limits (a spine 150–250 segments deep, names up to 200 bytes, deep
/// branches), then random moves, subtree clones, imports, directory extensions and fork edits
/// promoted back. After every step: every node of every workspace (read by inode, not by path)
/// lies within the limits and can be named — <see cref="Workspace.Stat"/> by its path and
/// <see cref="WorkspaceStore.Locate"/> by its store path succeed — and a fork's edit always
/// shows in the diff and is either promoted or refused with a typed exception, never dropped.
/// Operations may be refused, only with the exceptions the API documents for them.
/// NOKV_PATH_PROPERTY_COUNT sets how many scenarios run (default 20).
/// </summary>
public sealed class PathLimitPropertyTests(ITestOutputHelper output)
{
    public sealed record Branch(int At, int Depth, int NameLength);

    public sealed record Operation(int Kind, int Workspace, int From, int To, int Depth, int NameLength);

    public sealed record Scenario(int SpineDepth, int SpineName, Branch[] Branches, Operation[] Steps)
    {
        public override string ToString() =>
            $"spine {SpineDepth}x{SpineName}; branches [{string.Join("; ", Branches.AsEnumerable())}]; steps [{string.Join("; ", Steps.AsEnumerable())}]";
    }

    private static readonly Gen<int> NameLength = Gen.Elements(1, 1, 3, 40, 200);

    private static readonly Gen<Branch> BranchGen =
        from at in Gen.Choose(0, 1000)
        from depth in Gen.Choose(1, 110)
        from name in NameLength
        select new Branch(at, depth, name);

    private static readonly Gen<Operation> OperationGen =
        from kind in Gen.Frequency((5, Gen.Constant(0)), (2, Gen.Constant(1)), (2, Gen.Constant(2)), (3, Gen.Constant(3)), (1, Gen.Constant(4)), (2, Gen.Constant(5)))
        from ws in Gen.Choose(0, 100)
        from a in Gen.Choose(0, 10_000)
        from b in Gen.Choose(0, 10_000)
        from depth in Gen.Choose(1, 60)
        from name in NameLength
        select new Operation(kind, ws, a, b, depth, name);

    private static readonly Gen<Scenario> ScenarioGen =
        from spine in Gen.Choose(150, 250)
        from spineName in Gen.Elements(1, 1, 10, 15)
        from branches in Gen.Choose(1, 5).SelectMany(n => BranchGen.ArrayOf(n))
        from steps in Gen.Choose(1, 14).SelectMany(n => OperationGen.ArrayOf(n))
        select new Scenario(spine, spineName, branches, steps);

    private static IEnumerable<Scenario> Shrink(Scenario s)
    {
        for (var i = 0; i < s.Steps.Length; i++) yield return s with { Steps = s.Steps.Where((_, j) => j != i).ToArray() };
        for (var i = 0; i < s.Branches.Length; i++) yield return s with { Branches = s.Branches.Where((_, j) => j != i).ToArray() };
    }

    private sealed class Stats
    {
        public int Steps, Refused, LimitRefusals, DeepMoves, Promoted, PromotesRefused, Imports;
        public override string ToString() =>
            $"{Steps} steps: {LimitRefusals} refused at a path limit, {Refused - LimitRefusals} refused otherwise, {DeepMoves} moves landing 200+ deep, {Imports} imports, {Promoted} edits promoted, {PromotesRefused} promotes refused";
    }

    [Fact]
    public void Every_node_stays_nameable_and_no_change_is_dropped()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOKV_PATH_PROPERTY_COUNT"), out var c) ? c : 20;
        var stats = new Stats();
        Prop.ForAll(Arb.From(ScenarioGen, Shrink), s => Run(s, stats))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true));
        output.WriteLine(stats.ToString());
        Assert.True(stats.LimitRefusals > 0, "no scenario reached a path limit: " + stats);
    }

    /// <summary>A clone of a directory, and where that directory is (by inode, since it may move).</summary>
    private sealed record Fork(string Path, string SourceWorkspace, long SourceInode);

    private static void Run(Scenario scenario, Stats stats)
    {
        using var temp = new TempStore();
        var sources = Path.Combine(Path.GetTempPath(), "nokv-pathprop-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var store = temp.Store;
            var workspaces = new List<Workspace> { store.CreateWorkspace("/base") };
            var forks = new List<Fork>();
            var spine = PathLimitTests.Chain(scenario.SpineDepth, new string('s', scenario.SpineName));
            workspaces[0].CreateDirectory(spine);
            foreach (var branch in scenario.Branches)
            {
                var dirs = Nodes(store, "/base").Where(n => n.IsDirectory).ToList();
                var at = dirs[branch.At % dirs.Count].Path;
                Refusable(stats, () => workspaces[0].CreateDirectory(PathRules.Combine(at, "b") + PathLimitTests.Chain(branch.Depth, new string('b', branch.NameLength))));
            }
            CheckNameable(store, workspaces);

            var step = 0;
            foreach (var s in scenario.Steps)
            {
                step++;
                stats.Steps++;
                var ws = workspaces[s.Workspace % workspaces.Count];
                var nodes = Nodes(store, ws.Path);
                var dirs = nodes.Where(n => n.IsDirectory).ToList();
                var name = $"n{step}" + new string('x', s.NameLength);
                switch (s.Kind)
                {
                    case 0: // move any node below any directory
                        var movable = nodes.Where(n => n.Path != "/").ToList();
                        if (movable.Count == 0) break;
                        var from = movable[s.From % movable.Count].Path;
                        var to = PathRules.Combine(PickTarget(dirs, s.To), name);
                        if (Refusable(stats, () => ws.Move(from, to)) && to.Count(ch => ch == '/') >= 200) stats.DeepMoves++;
                        break;
                    case 1: // clone a directory into a new workspace
                        var dir = dirs[s.From % dirs.Count];
                        var clonePath = $"/c{step}";
                        var clone = store.Clone(ws.Path + (dir.Path == "/" ? "" : dir.Path), clonePath);
                        workspaces.Add(clone.Workspace);
                        forks.Add(new Fork(clonePath, ws.Path, dir.Ino));
                        break;
                    case 2: // import a chain of directories with a file at the bottom
                        var source = Path.Combine(sources, $"i{step}");
                        var importName = new string('i', Math.Min(s.NameLength, 100));
                        var importDepth = Math.Min(s.Depth, 3000 / (importName.Length + 1)); // the real file system's PATH_MAX is 4096
                        var bottom = Path.Combine([source, .. Enumerable.Repeat(importName, importDepth)]);
                        Directory.CreateDirectory(bottom);
                        File.WriteAllText(Path.Combine(bottom, "f"), "imported");
                        var into = PickTarget(dirs, s.To);
                        if (Refusable(stats, () => ws.ImportAsync(source, into).GetAwaiter().GetResult()))
                        {
                            stats.Imports++;
                            var relative = string.Concat(Enumerable.Repeat("/" + importName, importDepth)) + "/f";
                            Assert.Equal("imported", ws.ReadText((into == "/" ? "" : into) + relative).GetAwaiter().GetResult());
                        }
                        break;
                    case 3: // edit in a fork, diff it against its source, promote it back
                        if (forks.Count == 0) break;
                        EditDiffPromote(store, forks[s.Workspace % forks.Count], s, name, stats);
                        break;
                    case 5: // move a forked directory of its source workspace deeper, so a promote must lengthen paths
                        if (forks.Count == 0) break;
                        var fork = forks[s.Workspace % forks.Count];
                        var sourceWs = workspaces.Single(w => w.Path == fork.SourceWorkspace);
                        if (CurrentPath(store, fork) is not { } current || current == "/") break;
                        var deep = PickTarget(Nodes(store, sourceWs.Path).Where(n => n.IsDirectory).ToList(), s.To);
                        if (PathRules.IsSameOrBelow(deep, current)) break;
                        if (Refusable(stats, () => sourceWs.Move(current, PathRules.Combine(deep, name))) && deep.Count(ch => ch == '/') >= 200) stats.DeepMoves++;
                        break;
                    case 4: // extend a directory downwards
                        var deeper = PathRules.Combine(PickTarget(dirs, s.From), name) + PathLimitTests.Chain(s.Depth, new string('e', s.NameLength));
                        Refusable(stats, () => ws.CreateDirectory(deeper));
                        break;
                }
                CheckNameable(store, workspaces);
            }
            Assert.True(store.Verify().IsHealthy);
        }
        finally
        {
            if (Directory.Exists(sources)) Directory.Delete(sources, recursive: true);
        }
    }

    /// <summary>The fork writes a new file; the diff must list it, and the promote must apply it or refuse with a typed exception.</summary>
    private static void EditDiffPromote(WorkspaceStore store, Fork fork, Operation s, string name, Stats stats)
    {
        var forkWs = store.OpenWorkspace(fork.Path);
        var dirs = Nodes(store, fork.Path).Where(n => n.IsDirectory).ToList();
        var file = PathRules.Combine(PickTarget(dirs, s.From), name);
        if (!Refusable(stats, () => forkWs.Write(file, "edit").GetAwaiter().GetResult())) return;

        // Where the cloned directory is now (it may have moved, deeper, since the clone).
        if (CurrentPath(store, fork) is not { } sourceInner) return;
        var target = fork.SourceWorkspace + (sourceInner == "/" ? "" : sourceInner);

        var diff = store.Diff(target, fork.Path);
        Assert.Contains(new SubtreeDelta(file, DeltaKind.Added), diff);

        PromoteResult? result = null;
        var promoted = Refusable(stats, () => result = store.Promote(fork.Path, target, new PromoteOptions { Strategy = PromoteStrategy.PreferFork }));
        var landed = (sourceInner == "/" ? "" : sourceInner) + file;
        var targetWs = store.OpenWorkspace(fork.SourceWorkspace);
        if (promoted)
        {
            stats.Promoted++;
            Assert.True(result!.Promoted);
            Assert.Contains(result.Applied, d => d.Path == file);
            Assert.Equal("edit", targetWs.ReadText(landed).GetAwaiter().GetResult());
        }
        else
        {
            // Refused as a whole: the edit is not half-applied (where its path could be named at all).
            stats.PromotesRefused++;
            if (PathRules.LimitBroken(landed.Count(ch => ch == '/'), System.Text.Encoding.UTF8.GetByteCount(landed)) is null) Assert.False(targetWs.Exists(landed));
        }
    }

    /// <summary>Where a fork's source directory is now in its workspace, or null if it is gone.</summary>
    private static string? CurrentPath(WorkspaceStore store, Fork fork) => store.Read(txn =>
    {
        var view = WorkspaceStore.HeadView(txn, WorkspaceStore.GetWorkspace(txn, fork.SourceWorkspace));
        return NodeReader.PathOf(txn, view, fork.SourceInode);
    });

    /// <summary>A destination directory: half the time one of the deepest, where the limits bite.</summary>
    private static string PickTarget(List<Node> dirs, int choice)
    {
        if (choice % 2 == 0) return dirs[choice / 2 % dirs.Count].Path;
        var deepest = dirs.OrderByDescending(d => d.Path.Count(ch => ch == '/')).ThenBy(d => d.Path, StringComparer.Ordinal).Take(Math.Max(1, dirs.Count / 10)).ToList();
        return deepest[choice / 2 % deepest.Count].Path;
    }

    /// <summary>Runs an operation the API may refuse; true if it ran. Only documented refusals are accepted.</summary>
    private static bool Refusable(Stats stats, Action operation)
    {
        try
        {
            operation();
            return true;
        }
        catch (Exception e) when (e is PathLimitExceededException or InvalidPathException or InvalidMoveException or PathAlreadyExistsException
                                      or PathNotFoundException or NotADirectoryException or UnrelatedWorkspacesException)
        {
            stats.Refused++;
            if (e is PathLimitExceededException || (e is InvalidPathException i && (i.Message.Contains("deeper than", StringComparison.Ordinal) || i.Message.Contains("longer than", StringComparison.Ordinal))))
                stats.LimitRefusals++;
            return false;
        }
    }

    private sealed record Node(string Path, long Ino, bool IsDirectory, bool IsLeaf);

    /// <summary>Every node a workspace holds, found by inode from its root (not by path, so nothing unnameable hides).</summary>
    private static List<Node> Nodes(WorkspaceStore store, string wsPath) => store.Read(txn =>
    {
        var view = WorkspaceStore.HeadView(txn, WorkspaceStore.GetWorkspace(txn, wsPath));
        return TreeWalker.WalkWithInodes(txn, view)
            .Select(n => new Node(n.Path, n.Ino, n.Record.IsDirectory, !n.Record.IsDirectory || !NodeReader.HasChildren(txn, view, n.Ino)))
            .OrderBy(n => n.Path, StringComparer.Ordinal)
            .ToList();
    });

    /// <summary>Every node is within the limits, and every leaf (so every node on its path) can be named, inside its workspace and through the store.</summary>
    private static void CheckNameable(WorkspaceStore store, List<Workspace> workspaces)
    {
        foreach (var ws in workspaces)
        {
            foreach (var node in Nodes(store, ws.Path))
            {
                var depth = node.Path == "/" ? 0 : node.Path.Count(ch => ch == '/');
                Assert.True(PathRules.LimitBroken(depth, System.Text.Encoding.UTF8.GetByteCount(node.Path)) is null,
                    $"{ws.Path} holds a node no path can name: {depth} segments, {System.Text.Encoding.UTF8.GetByteCount(node.Path)} bytes");
                if (!node.IsLeaf) continue;
                Assert.Equal(node.Ino, ws.Stat(node.Path).Inode);
                var located = store.Locate(ws.Path + (node.Path == "/" ? "" : node.Path));
                Assert.Equal(node.Path, located.Path);
            }
        }
    }
}
