using FsCheck;
using FsCheck.Fluent;
using NoKV.Tests.Model;
using Xunit.Abstractions;

namespace NoKV.Tests;

/// <summary>
/// Promote against a three-tree model (split point, fork, target): random edits on both sides
/// after a clone, then the promote's conflicts must be exactly the model's, the merged tree the
/// model's merge, a fast-forward must make the target equal the fork, and GC must stay safe.
/// NOKV_PROMOTE_PROPERTY_COUNT sets how many scenarios run (default 100).
/// </summary>
public sealed class PromotePropertyTests(ITestOutputHelper output)
{
    public sealed record Edit(int Kind, string Path, string To, int Seed);

    private static readonly Gen<Edit> EditGen =
        from kind in Gen.Frequency((5, Gen.Constant(0)), (2, Gen.Constant(1)), (2, Gen.Constant(2)), (1, Gen.Constant(3)))
        from path in Gen.Elements(ModelGen.AllPaths)
        from to in Gen.Elements(ModelGen.AllPaths)
        from seed in Gen.Choose(0, 5)
        select new Edit(kind, path, to, seed);

    [Fact]
    public void Promote_matches_a_three_way_merge_of_the_model()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOKV_PROMOTE_PROPERTY_COUNT"), out var c) ? c : 100;
        var scenarios = from setup in EditGen.ArrayOf()
                        from onFork in EditGen.ArrayOf()
                        from onTarget in EditGen.ArrayOf()
                        select new Scenario(setup, onFork, onTarget);
        int conflicted = 0, fastForwards = 0, merged = 0;
        Prop.ForAll(Arb.From(scenarios, Shrink), s =>
        {
            switch (RunScenario(s.Setup, s.OnFork, s.OnTarget))
            {
                case Outcome.Conflicted: conflicted++; break;
                case Outcome.FastForward: fastForwards++; break;
                default: merged++; break;
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true));
        output.WriteLine($"{conflicted} conflicted, {fastForwards} fast-forwards, {merged} three-way merges");
    }

    private enum Outcome { Conflicted, FastForward, Merged }

    public sealed record Scenario(Edit[] Setup, Edit[] OnFork, Edit[] OnTarget)
    {
        public override string ToString() =>
            $"setup: [{string.Join("; ", Setup.AsEnumerable())}] fork: [{string.Join("; ", OnFork.AsEnumerable())}] target: [{string.Join("; ", OnTarget.AsEnumerable())}]";
    }

    /// <summary>Shrinks by dropping one edit from any of the three lists.</summary>
    private static IEnumerable<Scenario> Shrink(Scenario s)
    {
        static IEnumerable<Edit[]> Without(Edit[] edits) => Enumerable.Range(0, edits.Length).Select(i => edits.Where((_, j) => j != i).ToArray());
        foreach (var e in Without(s.Setup)) yield return s with { Setup = e };
        foreach (var e in Without(s.OnFork)) yield return s with { OnFork = e };
        foreach (var e in Without(s.OnTarget)) yield return s with { OnTarget = e };
    }

    private static Outcome RunScenario(Edit[] setup, Edit[] onFork, Edit[] onTarget)
    {
        using var temp = new TempStore(inlineThreshold: TempStore.ProductInline);
        var store = temp.Store;
        var target = store.CreateWorkspace("/base");
        var targetTree = new ModelTree();
        var version = 0L;
        foreach (var edit in setup) Apply(target, targetTree, edit, ref version);

        var fork = store.Clone("/base", "/fork").Workspace;
        var split = targetTree.Copy();
        var forkTree = targetTree.Copy();
        foreach (var edit in onFork) Apply(fork, forkTree, edit, ref version);
        foreach (var edit in onTarget) Apply(target, targetTree, edit, ref version);

        var (expectedConflicts, apply) = ExpectedPlan(split, forkTree, targetTree);
        var result = store.Promote("/fork", "/base");
        Assert.Equal(expectedConflicts, result.Conflicts.Select(c => c.Path));

        Outcome outcome;
        if (expectedConflicts.Count > 0)
        {
            Assert.False(result.Promoted);
            AssertTree(targetTree, target);
            result = store.Promote("/fork", "/base", new PromoteOptions { Strategy = PromoteStrategy.PreferFork });
            var ancestors = expectedConflicts.SelectMany(AncestorsOf).Where(a => !targetTree.IsDir(a) && forkTree.IsDir(a));
            AssertTree(Merge(targetTree, forkTree, [.. apply, .. expectedConflicts, .. ancestors]), target);
            outcome = Outcome.Conflicted;
        }
        else
        {
            Assert.True(result.Promoted);
            var expected = Merge(targetTree, forkTree, apply);
            AssertTree(expected, target);
            if (result.FastForward) AssertTree(forkTree, target);
            outcome = result.FastForward ? Outcome.FastForward : Outcome.Merged;
        }

        var report = store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
        var promoted = ModelOf(target);
        store.DeleteWorkspace("/fork");
        foreach (var pin in store.ListSnapshots()) store.ReleaseSnapshot(pin.Id);
        store.CollectGarbage();
        AssertTree(promoted, target);
        Assert.True(store.Verify().IsHealthy);
        return outcome;
    }

    /// <summary>Applies an edit to both the workspace and the model when the model says it is valid.</summary>
    private static void Apply(Workspace ws, ModelTree tree, Edit edit, ref long version)
    {
        var parent = ModelTree.Parent(edit.Path);
        switch (edit.Kind)
        {
            case 0 when tree.IsDir(parent) && !tree.IsDir(edit.Path):
                var data = TestData.Bytes(edit.Seed * 3, edit.Seed);
                ws.WriteAllBytesAsync(edit.Path, data).GetAwaiter().GetResult();
                tree.Nodes[edit.Path] = new ModelNode(NodeKind.File, data, ++version);
                break;
            case 1 when ModelTree.Prefixes(edit.Path).TakeWhile(tree.Exists).All(tree.IsDir):
                ws.CreateDirectory(edit.Path);
                foreach (var prefix in ModelTree.Prefixes(edit.Path).Where(p => !tree.Exists(p))) tree.Nodes[prefix] = new ModelNode(NodeKind.Directory, null, 0);
                break;
            case 2 when tree.Exists(edit.Path) && tree.ResolveError(edit.Path) is null:
                ws.Delete(edit.Path, recursive: true);
                foreach (var p in tree.Subtree(edit.Path)) tree.Nodes.Remove(p);
                break;
            case 3 when edit.Path != edit.To && tree.ResolveError(edit.Path) is null && !tree.Exists(edit.To)
                        && tree.ResolveError(ModelTree.Parent(edit.To)) is null && tree.IsDir(ModelTree.Parent(edit.To))
                        && !edit.To.StartsWith(edit.Path + "/", StringComparison.Ordinal):
                ws.Move(edit.Path, edit.To);
                foreach (var p in tree.Subtree(edit.Path))
                {
                    var node = tree.Nodes[p];
                    tree.Nodes.Remove(p);
                    tree.Nodes[edit.To + p[edit.Path.Length..]] = node;
                }
                break;
        }
    }

    /// <summary>The model's plan: conflicting paths, and the fork's changes to apply.</summary>
    private static (List<string> Conflicts, List<string> Apply) ExpectedPlan(ModelTree split, ModelTree fork, ModelTree target)
    {
        var forkChanges = ModelTree.Diff(split, fork).Select(d => d.Path).ToList();
        var targetChanges = ModelTree.Diff(split, target).Select(d => d.Path).ToHashSet(StringComparer.Ordinal);
        var conflicts = new List<string>();
        var apply = new List<string>();
        foreach (var p in forkChanges)
        {
            fork.Nodes.TryGetValue(p, out var theirs);
            target.Nodes.TryGetValue(p, out var ours);
            bool conflict;
            if (targetChanges.Contains(p))
            {
                var same = (theirs, ours) switch
                {
                    (null, null) => true,
                    ({ Kind: NodeKind.Directory }, { Kind: NodeKind.Directory }) => true,
                    ({ Kind: NodeKind.File } x, { Kind: NodeKind.File } y) => x.Version == y.Version,
                    _ => false,
                };
                if (same) continue;
                conflict = true;
            }
            else
            {
                var replaces = split.IsDir(p) && !fork.IsDir(p);
                conflict = (replaces && targetChanges.Any(q => q.StartsWith(p + "/", StringComparison.Ordinal)))
                    || AncestorsOf(p).Any(a => targetChanges.Contains(a) && !target.IsDir(a));
            }
            (conflict ? conflicts : apply).Add(p);
        }
        return (conflicts, apply);
    }

    /// <summary>The target with each top-most applied path replaced by the fork's subtree.</summary>
    private static ModelTree Merge(ModelTree target, ModelTree fork, List<string> paths)
    {
        var merged = target.Copy();
        var set = paths.ToHashSet(StringComparer.Ordinal);
        foreach (var p in paths.Where(p => !AncestorsOf(p).Any(set.Contains)))
        {
            foreach (var q in merged.Subtree(p)) merged.Nodes.Remove(q);
            foreach (var q in fork.Subtree(p)) merged.Nodes[q] = fork.Nodes[q];
        }
        return merged;
    }

    private static IEnumerable<string> AncestorsOf(string path)
    {
        for (var i = path.LastIndexOf('/'); i > 0; i = path.LastIndexOf('/', i - 1)) yield return path[..i];
    }

    private static ModelTree ModelOf(Workspace ws)
    {
        var tree = new ModelTree();
        var pending = new Stack<string>(["/"]);
        while (pending.TryPop(out var dir))
        {
            foreach (var node in ws.List(dir))
            {
                tree.Nodes[node.Path] = new ModelNode(node.Kind, node.Kind == NodeKind.File ? ws.ReadAllBytesAsync(node.Path).GetAwaiter().GetResult() : null, node.Generation);
                if (node.Kind == NodeKind.Directory) pending.Push(node.Path);
            }
        }
        return tree;
    }

    private static void AssertTree(ModelTree expected, Workspace ws)
    {
        var actual = ModelOf(ws);
        Assert.Equal(expected.Nodes.Keys, actual.Nodes.Keys);
        foreach (var (path, node) in expected.Nodes) Assert.Equal(node.Data, actual.Nodes[path].Data);
    }
}
