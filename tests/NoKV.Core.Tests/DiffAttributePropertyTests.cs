using FsCheck;
using FsCheck.Fluent;
using NoKV.Tests.Model;

namespace NoKV.Tests;

/// <summary>
/// Diff reports exactly the paths whose kind, file generation, mode, owner, group or link target
/// differ, and never a path whose only change is a time, against the model's diff of two random
/// trees: a fork and its source (the layer fast path), and two unrelated workspaces (the walk).
/// </summary>
public sealed class DiffAttributePropertyTests
{
    public sealed record Scenario(AttributeEdit[] Setup, AttributeEdit[] OnFork, AttributeEdit[] Other, bool TouchEverything)
    {
        public override string ToString() =>
            $"setup: [{string.Join("; ", Setup.AsEnumerable())}] fork: [{string.Join("; ", OnFork.AsEnumerable())}] other: [{string.Join("; ", Other.AsEnumerable())}] touch all: {TouchEverything}";
    }

    private static IEnumerable<Scenario> Shrink(Scenario s) =>
        AttributeEdits.Without(s.Setup).Select(e => s with { Setup = e })
            .Concat(AttributeEdits.Without(s.OnFork).Select(e => s with { OnFork = e }))
            .Concat(AttributeEdits.Without(s.Other).Select(e => s with { Other = e }));

    [Fact]
    public void Diff_reports_exactly_the_attribute_and_content_changes_and_never_a_time_alone()
    {
        var edits = AttributeEdits.Edits(ModelGen.AttributePaths);
        var scenarios = from setup in AttributePropertySupport.Few(edits)
                        from onFork in AttributePropertySupport.Few(edits)
                        from other in AttributePropertySupport.Few(edits)
                        from touch in Gen.Elements(true, false)
                        select new Scenario(setup, onFork, other, touch);
        Prop.ForAll(Arb.From(scenarios, Shrink), Run).Check(AttributePropertySupport.Config(100));
    }

    private static void Run(Scenario s)
    {
        using var temp = new TempStore();
        var store = temp.Store;
        var version = 0L;
        var source = store.CreateWorkspace("/base");
        var sourceTree = new ModelTree();
        foreach (var edit in s.Setup) AttributeEdits.Apply(source, sourceTree, edit, ref version);

        var fork = store.Clone("/base", "/fork").Workspace;
        var forkTree = sourceTree.Copy();
        foreach (var edit in s.OnFork) AttributeEdits.Apply(fork, forkTree, edit, ref version);
        if (s.TouchEverything)
        {
            // A new modification time on every node, the root included: still no change.
            foreach (var path in forkTree.Nodes.Keys.Prepend("/")) fork.SetLastWriteTime(path, DateTimeOffset.UnixEpoch.AddTicks(path.Length));
        }

        Assert.Equal(ModelTree.Diff(sourceTree, forkTree), store.Diff("/base", "/fork"));
        Assert.Equal(ModelTree.Diff(forkTree, sourceTree), store.Diff("/fork", "/base"));

        var other = store.CreateWorkspace("/other");
        var otherTree = new ModelTree();
        foreach (var edit in s.Other) AttributeEdits.Apply(other, otherTree, edit, ref version);
        Assert.Equal(ModelTree.Diff(forkTree, otherTree), store.Diff("/fork", "/other"));
    }
}
