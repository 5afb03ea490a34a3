namespace NoKV.Tests;

public sealed class PromoteTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly Workspace _base;
    private WorkspaceStore Store => _temp.Store;

    public PromoteTests() => _base = _temp.Store.CreateWorkspace("/base");

    public void Dispose() => _temp.Dispose();

    private static SubtreeDelta A(string p) => new(p, DeltaKind.Added);
    private static SubtreeDelta R(string p) => new(p, DeltaKind.Removed);
    private static SubtreeDelta M(string p) => new(p, DeltaKind.Modified);

    private async Task<Workspace> Fork()
    {
        _base.CreateDirectory("/d");
        await _base.Write("/a", "a");
        await _base.Write("/d/x", "x");
        await _base.Write("/d/y", "y");
        await _base.WriteAllBytesAsync("/big", TestData.Bytes(3 * TempStore.SmallChunk, 1));
        return Store.Clone("/base", "/forks/f").Workspace;
    }

    private void AssertHealthy()
    {
        var report = Store.Verify();
        Assert.True(report.IsHealthy, string.Join(Environment.NewLine, report.Problems));
    }

    [Fact]
    public async Task Promoting_into_an_unchanged_base_fast_forwards_and_copies_no_data()
    {
        var fork = await Fork();
        await fork.Write("/a", "changed");
        await fork.Write("/new", "new");
        fork.Delete("/d/y");
        fork.Move("/d/x", "/x-moved");
        await fork.WriteAllBytesAsync("/big2", TestData.Bytes(2 * TempStore.SmallChunk, 2));
        var blocks = _temp.BlockKeys();
        var expected = await fork.Tree();

        var result = Store.Promote("/forks/f", "/base");

        Assert.True(result.Promoted);
        Assert.True(result.FastForward);
        Assert.Empty(result.Conflicts);
        Assert.Equal([M("/a"), A("/big2"), R("/d/x"), R("/d/y"), A("/new"), A("/x-moved")], result.Applied);
        Assert.Equal(expected, await _base.Tree());
        Assert.Empty(Store.Diff("/base", "/forks/f"));
        Assert.Equal(blocks, _temp.BlockKeys()); // no block copied
        Assert.Equal(_base.Stat("/big2").Generation, fork.Stat("/big2").Generation);
        AssertHealthy();

        Store.Rollback("/base", result.SnapshotId); // the pre-promote snapshot undoes it
        Assert.Equal("a", await _base.ReadText("/a"));
        Assert.False(_base.Exists("/new"));
    }

    [Fact]
    public async Task Changes_on_either_side_only_are_merged()
    {
        var fork = await Fork();
        await fork.Write("/a", "fork");
        fork.Delete("/d/x");
        await _base.Write("/d/y", "base");
        await _base.Write("/base-only", "b");

        var result = Store.Promote("/forks/f", "/base");

        Assert.True(result.Promoted);
        Assert.False(result.FastForward);
        Assert.Equal("fork", await _base.ReadText("/a"));
        Assert.False(_base.Exists("/d/x"));
        Assert.Equal("base", await _base.ReadText("/d/y"));
        Assert.Equal("b", await _base.ReadText("/base-only"));
        Assert.Equal([A("/base-only"), M("/d/y")], Store.Diff("/forks/f", "/base")); // what only the base did
        AssertHealthy();
    }

    [Fact]
    public async Task A_conflict_applies_nothing_and_reports_both_sides()
    {
        var fork = await Fork();
        await fork.Write("/a", "fork");
        await fork.Write("/new", "n");
        await _base.Write("/a", "base");
        var genBase = _base.Stat("/a").Generation;
        var genFork = fork.Stat("/a").Generation;
        var snapshots = Store.ListSnapshots().Count;

        var result = Store.Promote("/forks/f", "/base");

        Assert.False(result.Promoted);
        Assert.Equal(0, result.SnapshotId);
        Assert.Empty(result.Applied);
        var conflict = Assert.Single(result.Conflicts);
        Assert.Equal("/a", conflict.Path);
        Assert.Equal((NodeKind.File, NodeKind.File, NodeKind.File), (conflict.Base, conflict.Target, conflict.Fork));
        Assert.Equal((genBase, genFork), (conflict.TargetGeneration, conflict.ForkGeneration));
        Assert.Equal("base", await _base.ReadText("/a"));
        Assert.False(_base.Exists("/new"));
        Assert.Equal(snapshots, Store.ListSnapshots().Count);
    }

    [Fact]
    public async Task Strategies_resolve_conflicts_toward_one_side()
    {
        var fork = await Fork();
        await fork.Write("/a", "fork");
        await fork.Write("/new", "n");
        await _base.Write("/a", "base");

        var target = Store.Promote("/forks/f", "/base", new PromoteOptions { Strategy = PromoteStrategy.PreferTarget });
        Assert.True(target.Promoted);
        Assert.Single(target.Conflicts);
        Assert.Equal("base", await _base.ReadText("/a"));
        Assert.Equal("n", await _base.ReadText("/new"));

        Store.Rollback("/base", target.SnapshotId);
        var fork2 = Store.Promote("/forks/f", "/base", new PromoteOptions { Strategy = PromoteStrategy.PreferFork });
        Assert.True(fork2.Promoted);
        Assert.Equal("fork", await _base.ReadText("/a"));
        Assert.Equal("n", await _base.ReadText("/new"));
        AssertHealthy();
    }

    [Fact]
    public async Task The_same_change_on_both_sides_is_no_conflict()
    {
        var fork = await Fork();
        fork.Delete("/a");
        _base.Delete("/a");
        fork.CreateDirectory("/n");
        await fork.Write("/n/f", "f");
        _base.CreateDirectory("/n");
        await _base.Write("/n/b", "b");

        var result = Store.Promote("/forks/f", "/base");

        Assert.True(result.Promoted);
        Assert.Empty(result.Conflicts);
        Assert.Equal(["b", "f"], _base.List("/n").Select(n => n.Name)); // both added /n: the entries merge
        Assert.False(_base.Exists("/a"));
    }

    [Fact]
    public async Task Replacing_a_subtree_the_other_side_changed_inside_is_a_conflict()
    {
        var fork = await Fork();
        fork.Delete("/d", recursive: true);          // the fork drops the directory
        await _base.Write("/d/y", "base edit");        // the base edits inside it
        var result = Store.Promote("/forks/f", "/base");
        Assert.False(result.Promoted);
        Assert.Equal(["/d", "/d/y"], result.Conflicts.Select(c => c.Path));

        var kept = Store.Promote("/forks/f", "/base", new PromoteOptions { Strategy = PromoteStrategy.PreferTarget });
        Assert.Equal("base edit", await _base.ReadText("/d/y"));
        Assert.False(_base.Exists("/d/x"));           // the fork's other deletion inside /d still applies
        Assert.Equal([R("/d/x")], kept.Applied);
    }

    [Fact]
    public async Task Adding_inside_a_directory_the_target_deleted_is_a_conflict()
    {
        var fork = await Fork();
        await fork.Write("/d/new", "n");
        _base.Delete("/d", recursive: true);
        var result = Store.Promote("/forks/f", "/base");
        Assert.Equal(["/d/new"], result.Conflicts.Select(c => c.Path));
        Assert.False(_base.Exists("/d"));
    }

    [Fact]
    public async Task Preferring_the_fork_brings_back_a_directory_the_target_deleted()
    {
        // Found by the promote property: the fork's file sits in a directory the target dropped.
        var fork = await Fork();
        await fork.Write("/d/new", "n");
        _base.Delete("/d", recursive: true);
        var result = Store.Promote("/forks/f", "/base", new PromoteOptions { Strategy = PromoteStrategy.PreferFork });
        Assert.True(result.Promoted);
        Assert.Equal(["new", "x", "y"], _base.List("/d").Select(n => n.Name));
        AssertHealthy();
    }

    [Fact]
    public async Task Other_forks_are_unaffected_and_gc_stays_safe()
    {
        var fork = await Fork();
        var other = Store.Clone("/base", "/forks/other").Workspace;
        var otherTree = await other.Tree();
        await fork.WriteAllBytesAsync("/big", TestData.Bytes(TempStore.SmallChunk, 9));
        Store.Promote("/forks/f", "/base");

        Assert.Equal(otherTree, await other.Tree());
        Store.DeleteWorkspace("/forks/f");
        foreach (var pin in Store.ListSnapshots()) Store.ReleaseSnapshot(pin.Id);
        Store.CollectGarbage();
        Assert.Equal(TestData.Bytes(TempStore.SmallChunk, 9), await _base.ReadAllBytesAsync("/big"));
        Assert.Equal(otherTree, await other.Tree());
        AssertHealthy();
    }

    [Fact]
    public async Task A_subdirectory_fork_promotes_into_that_directory()
    {
        await Fork();
        var sub = Store.Clone("/base/d", "/forks/d").Workspace;
        await sub.Write("/z", "z");
        var result = Store.Promote("/forks/d", "/base/d");
        Assert.True(result.FastForward);
        Assert.Equal("z", await _base.ReadText("/d/z"));
        Assert.Equal([A("/z")], result.Applied);
    }

    [Fact]
    public async Task Unrelated_trees_cannot_be_promoted()
    {
        await Fork();
        var other = Store.CreateWorkspace("/other");
        await other.Write("/a", "other");
        Assert.Throws<UnrelatedWorkspacesException>(() => Store.Promote("/other", "/base"));
        Assert.Throws<UnrelatedWorkspacesException>(() => Store.Promote("/forks/f", "/base/d"));
        Assert.Throws<WorkspaceNotFoundException>(() => Store.Promote("/nope", "/base"));
        Assert.Equal("a", await _base.ReadText("/a"));
    }
}
