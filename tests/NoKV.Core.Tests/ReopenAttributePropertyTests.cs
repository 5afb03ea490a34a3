using FsCheck;
using FsCheck.Fluent;
using NoKV.Tests.Model;

namespace NoKV.Tests;

/// <summary>
/// Reopening a store keeps every attribute of every node in every workspace and snapshot, to the
/// tick: kind, length, generation, inode, modification and change time, mode, owner, group and
/// link target (times set to DateTimeOffset.MinValue and MaxValue included).
/// </summary>
public sealed class ReopenAttributePropertyTests
{
    public sealed record Scenario(AttributeEdit[] BeforeSnapshot, AttributeEdit[] AfterSnapshot)
    {
        public override string ToString() => $"before: [{string.Join("; ", BeforeSnapshot.AsEnumerable())}] after: [{string.Join("; ", AfterSnapshot.AsEnumerable())}]";
    }

    private static IEnumerable<Scenario> Shrink(Scenario s) =>
        AttributeEdits.Without(s.BeforeSnapshot).Select(e => s with { BeforeSnapshot = e })
            .Concat(AttributeEdits.Without(s.AfterSnapshot).Select(e => s with { AfterSnapshot = e }));

    [Fact]
    public void Reopen_keeps_every_attribute_to_the_tick()
    {
        var edits = AttributeEdits.Edits(ModelGen.AttributePaths);
        var scenarios = from before in AttributePropertySupport.Few(edits)
                        from after in AttributePropertySupport.Few(edits)
                        select new Scenario(before, after);
        Prop.ForAll(Arb.From(scenarios, Shrink), Run).Check(AttributePropertySupport.Config(60));
    }

    private static void Run(Scenario s)
    {
        using var temp = new TempStore();
        var version = 0L;
        var ws = temp.Store.CreateWorkspace("/w");
        var tree = new ModelTree();
        foreach (var edit in s.BeforeSnapshot) AttributeEdits.Apply(ws, tree, edit, ref version);
        temp.Store.Snapshot("/w");
        var fork = temp.Store.Clone("/w", "/fork").Workspace;
        var forkTree = tree.Copy();
        foreach (var edit in s.AfterSnapshot)
        {
            AttributeEdits.Apply(ws, tree, edit, ref version);
            AttributeEdits.Apply(fork, forkTree, edit with { A = edit.B, B = edit.A }, ref version);
        }
        var before = AttributePropertySupport.Fingerprint(temp.Store);

        var reopened = temp.Reopen();

        Assert.Equal(before, AttributePropertySupport.Fingerprint(reopened));
        AttributeEdits.AssertSame(tree, AttributeEdits.ModelOf(reopened.OpenWorkspace("/w")), "/w after reopening");
        AttributeEdits.AssertSame(forkTree, AttributeEdits.ModelOf(reopened.OpenWorkspace("/fork")), "/fork after reopening");
    }
}
