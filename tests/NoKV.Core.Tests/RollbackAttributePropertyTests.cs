using FsCheck;
using FsCheck.Fluent;
using NoKV.Tests.Model;

namespace NoKV.Tests;

/// <summary>
/// Rollback of a subtree restores attributes: after random edits below (and of) a snapshotted
/// directory, rolling the directory back makes every node below it, and the directory itself,
/// the snapshot's again in kind, bytes, mode, owner, group and link target, and leaves the rest
/// of the workspace as it was.
/// </summary>
public sealed class RollbackAttributePropertyTests
{
    private static readonly string[] Paths = ["/", "/a", "/x", "/d", "/d/c", "/d/e", "/d/e/f", "/d/g", "/d/e/h"];

    public sealed record Scenario(AttributeEdit[] Setup, AttributeEdit[] After)
    {
        public override string ToString() => $"setup: [{string.Join("; ", Setup.AsEnumerable())}] after: [{string.Join("; ", After.AsEnumerable())}]";
    }

    private static IEnumerable<Scenario> Shrink(Scenario s) =>
        AttributeEdits.Without(s.Setup).Select(e => s with { Setup = e })
            .Concat(AttributeEdits.Without(s.After).Select(e => s with { After = e }));

    [Fact]
    public void Rollback_of_a_subtree_restores_its_modes_owners_and_link_targets()
    {
        // The snapshotted directory itself stays (a rollback needs it), its attributes may change.
        var edits = AttributeEdits.Edits(Paths).Where(e => !(e.Path == "/d" && e.Kind == AttributeEditKind.Delete));
        var scenarios = from setup in AttributePropertySupport.Few(edits)
                        from after in AttributePropertySupport.Few(edits)
                        select new Scenario(setup, after);
        Prop.ForAll(Arb.From(scenarios, Shrink), Run).Check(AttributePropertySupport.Config(100));
    }

    private static void Run(Scenario s)
    {
        using var temp = new TempStore();
        var store = temp.Store;
        var version = 0L;
        var ws = store.CreateWorkspace("/w");
        var tree = new ModelTree();
        AttributeEdits.Apply(ws, tree, new AttributeEdit(AttributeEditKind.MakeDirectory, "/d", 0, 0), ref version);
        foreach (var edit in s.Setup) AttributeEdits.Apply(ws, tree, edit, ref version);

        var pin = store.Snapshot("/w/d");
        var snapshot = tree.SubtreeAt("/d");
        foreach (var edit in s.After) AttributeEdits.Apply(ws, tree, edit, ref version);

        store.Rollback("/w/d", pin.Id);

        var root = snapshot.Root;
        tree.ReplaceSubtree("/d", snapshot);
        tree.Nodes["/d"] = tree.Nodes["/d"] with { Mode = root.Mode, OwnerId = root.OwnerId, GroupId = root.GroupId };
        AttributeEdits.AssertSame(tree, AttributeEdits.ModelOf(ws), "the workspace after the rollback");
        AttributeEdits.AssertSame(snapshot, AttributeEdits.ModelOf(pin), "the snapshot");
        var report = store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }
}
