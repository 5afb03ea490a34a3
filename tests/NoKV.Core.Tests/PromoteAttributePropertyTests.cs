using FsCheck;
using FsCheck.Fluent;
using NoKV.Tests.Model;

namespace NoKV.Tests;

/// <summary>
/// Promote merges attribute changes like content changes: after a clone, the fork and the target
/// each change modes, owners, link targets, bytes and times of random nodes (the root included).
/// What only the fork changed reaches the target; a node both changed to different results
/// (bytes on one side and a mode on the other included) is a conflict, and then, with the default
/// strategy, nothing is applied at all (every field of every node, times included, stays).
/// </summary>
public sealed class PromoteAttributePropertyTests
{
    public sealed record Scenario(AttributeEdit[] Setup, AttributeEdit[] OnFork, AttributeEdit[] OnTarget)
    {
        public override string ToString() =>
            $"setup: [{string.Join("; ", Setup.AsEnumerable())}] fork: [{string.Join("; ", OnFork.AsEnumerable())}] target: [{string.Join("; ", OnTarget.AsEnumerable())}]";
    }

    private static IEnumerable<Scenario> Shrink(Scenario s) =>
        AttributeEdits.Without(s.Setup).Select(e => s with { Setup = e })
            .Concat(AttributeEdits.Without(s.OnFork).Select(e => s with { OnFork = e }))
            .Concat(AttributeEdits.Without(s.OnTarget).Select(e => s with { OnTarget = e }));

    [Fact]
    public void Promote_applies_the_forks_attribute_changes_and_refuses_conflicting_ones_whole()
    {
        // Both sides only change nodes in place (no creates or deletes), so the expected conflicts
        // are exactly the paths both changed to different results.
        var inPlace = AttributeEdits.Edits(ModelGen.AttributePaths, structural: false);
        var scenarios = from setup in AttributePropertySupport.Few(AttributeEdits.Edits(ModelGen.AttributePaths))
                        from onFork in AttributePropertySupport.Few(inPlace)
                        from onTarget in AttributePropertySupport.Few(inPlace)
                        select new Scenario(setup, onFork, onTarget);
        Prop.ForAll(Arb.From(scenarios, Shrink), Run).Check(AttributePropertySupport.Config(100));
    }

    [Fact]
    public void Promote_over_a_target_that_only_touched_its_nodes_makes_it_the_fork_in_every_attribute()
    {
        // The fork reshapes the tree freely; the target only sets times, which is no change: the
        // promote has no conflict and the target ends as the fork, attributes and links included.
        var scenarios = from setup in AttributePropertySupport.Few(AttributeEdits.Edits(ModelGen.AttributePaths))
                        from onFork in AttributePropertySupport.Few(AttributeEdits.Edits(ModelGen.AttributePaths))
                        select new Scenario(setup, onFork, []);
        Prop.ForAll(Arb.From(scenarios, Shrink), RunOverTouchedTarget).Check(AttributePropertySupport.Config(60));
    }

    private static void RunOverTouchedTarget(Scenario s)
    {
        using var temp = new TempStore();
        var store = temp.Store;
        var version = 0L;
        var target = store.CreateWorkspace("/base");
        var targetTree = new ModelTree();
        foreach (var edit in s.Setup) AttributeEdits.Apply(target, targetTree, edit, ref version);
        var fork = store.Clone("/base", "/fork").Workspace;
        var forkTree = targetTree.Copy();
        foreach (var edit in s.OnFork) AttributeEdits.Apply(fork, forkTree, edit, ref version);
        foreach (var path in targetTree.Nodes.Keys.Prepend("/")) target.SetLastWriteTime(path, DateTimeOffset.UnixEpoch);

        var result = store.Promote("/fork", "/base");

        Assert.Empty(result.Conflicts);
        Assert.True(result.Promoted);
        AttributeEdits.AssertSame(forkTree, AttributeEdits.ModelOf(target), "the target after the promote");
        Assert.Empty(store.Diff("/fork", "/base"));
        var report = store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }

    private static void Run(Scenario s)
    {
        using var temp = new TempStore();
        var store = temp.Store;
        var version = 0L;
        var target = store.CreateWorkspace("/base");
        var targetTree = new ModelTree();
        foreach (var edit in s.Setup) AttributeEdits.Apply(target, targetTree, edit, ref version);

        var fork = store.Clone("/base", "/fork").Workspace;
        var split = targetTree.Copy();
        var forkTree = targetTree.Copy();
        foreach (var edit in s.OnFork) AttributeEdits.Apply(fork, forkTree, edit, ref version);
        foreach (var edit in s.OnTarget) AttributeEdits.Apply(target, targetTree, edit, ref version);

        var forkChanges = ModelTree.Diff(split, forkTree).Select(d => d.Path).ToList();
        var targetChanges = ModelTree.Diff(split, targetTree).Select(d => d.Path).ToHashSet(StringComparer.Ordinal);
        var conflicts = forkChanges.Where(p => targetChanges.Contains(p) && forkTree.At(p).DiffersFrom(targetTree.At(p))).ToList();
        var before = AttributePropertySupport.Fingerprint(target.List, target.Stat);
        var pinsBefore = store.ListSnapshots().Count;

        var result = store.Promote("/fork", "/base");

        Assert.Equal(conflicts, result.Conflicts.Select(c => c.Path));
        if (conflicts.Count > 0)
        {
            Assert.False(result.Promoted);
            Assert.Equal(before, AttributePropertySupport.Fingerprint(target.List, target.Stat));
            Assert.Equal(pinsBefore, store.ListSnapshots().Count);
        }
        else
        {
            Assert.True(result.Promoted);
            var merged = targetTree.Copy();
            foreach (var path in forkChanges) merged.Set(path, forkTree.At(path));
            AttributeEdits.AssertSame(merged, AttributeEdits.ModelOf(target), "the target after the promote");
        }
        AttributeEdits.AssertSame(forkTree, AttributeEdits.ModelOf(fork), "the fork");
        var report = store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }
}
