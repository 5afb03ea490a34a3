namespace NoKV.Tests;

/// <summary>
/// attack5: one side turns a directory into a link of the same name while the other works inside
/// it; write sessions whose destination turns into a link while they are open.
/// </summary>
public sealed class LinkPromoteAttackTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly Workspace _base;
    private WorkspaceStore Store => _temp.Store;

    public LinkPromoteAttackTests() => _base = _temp.Store.CreateWorkspace("/base");

    public void Dispose() => _temp.Dispose();

    private async Task<Workspace> Fork()
    {
        _base.CreateDirectory("/d/sub");
        await _base.Write("/d/x", "x");
        return Store.Clone("/base", "/fork").Workspace;
    }

    private static PromoteOptions With(PromoteStrategy s) => new() { Strategy = s };

    [Fact]
    public async Task Target_turned_a_directory_into_a_link_while_the_fork_added_files_below_it()
    {
        var fork = await Fork();
        await fork.Write("/d/sub/new", "n");
        _base.Delete("/d", recursive: true);
        _base.CreateSymbolicLink("/d", "elsewhere");
        var before = AttackTree.Lines(_base);

        var failed = Store.Promote("/fork", "/base");
        Assert.False(failed.Promoted);
        Assert.Equal(["/d/sub/new"], failed.Conflicts.Select(c => c.Path));
        Assert.Equal(before, AttackTree.Lines(_base));

        var target = Store.Promote("/fork", "/base", With(PromoteStrategy.PreferTarget));
        Assert.True(target.Promoted);
        Assert.Equal(before, AttackTree.Lines(_base));

        var forked = Store.Promote("/fork", "/base", With(PromoteStrategy.PreferFork));
        Assert.True(forked.Promoted);
        Assert.Equal(NodeKind.Directory, _base.Stat("/d").Kind);
        Assert.Equal("n", await _base.ReadText("/d/sub/new"));
        Assert.Empty(Store.Diff("/fork", "/base"));
        var report = Store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }

    [Fact]
    public async Task Fork_turned_a_directory_into_a_link_while_the_target_added_files_below_it()
    {
        var fork = await Fork();
        fork.Delete("/d", recursive: true);
        fork.CreateSymbolicLink("/d", "elsewhere");
        await _base.Write("/d/sub/target-new", "t");
        var before = AttackTree.Lines(_base);

        var failed = Store.Promote("/fork", "/base");
        Assert.False(failed.Promoted);
        Assert.Contains("/d", failed.Conflicts.Select(c => c.Path));
        Assert.Equal(before, AttackTree.Lines(_base));

        var target = Store.Promote("/fork", "/base", With(PromoteStrategy.PreferTarget));
        Assert.True(target.Promoted);
        Assert.Equal("t", await _base.ReadText("/d/sub/target-new"));
        Assert.Equal(NodeKind.Directory, _base.Stat("/d").Kind);

        var forked = Store.Promote("/fork", "/base", With(PromoteStrategy.PreferFork));
        Assert.True(forked.Promoted);
        Assert.Equal("elsewhere", _base.Stat("/d").LinkTarget);
        Assert.Empty(Store.Diff("/fork", "/base"));
        Store.CollectGarbage(GcMode.Full);
        var report = Store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }

    [Fact]
    public async Task Both_sides_made_the_same_link_is_no_conflict_and_different_owners_are()
    {
        var fork = await Fork();
        fork.CreateSymbolicLink("/l", "same");
        _base.CreateSymbolicLink("/l", "same");
        Assert.True(Store.Promote("/fork", "/base").Promoted);

        fork.SetOwner("/l", 1, 1);
        _base.SetOwner("/l", 2, 2);
        var result = Store.Promote("/fork", "/base");
        Assert.False(result.Promoted);
        var conflict = Assert.Single(result.Conflicts);
        Assert.Equal(("/l", NodeKind.SymbolicLink, NodeKind.SymbolicLink), (conflict.Path, conflict.Target!.Value, conflict.Fork!.Value));
        Assert.Equal(0, conflict.ForkGeneration);
    }

    [Fact]
    public async Task A_write_session_whose_destination_became_a_link_fails_typed_and_leaves_the_link_and_no_garbage()
    {
        await _base.Write("/x", "old");
        var stream = _base.OpenWrite("/new");
        await stream.WriteAsync(TestData.Bytes(3 * TempStore.SmallChunk, 1));
        _base.CreateSymbolicLink("/new", "t");
        _base.Delete("/x");
        _base.CreateSymbolicLink("/x", "t2");
        var lines = AttackTree.Lines(_base);

        await Assert.ThrowsAnyAsync<NoKVException>(async () => await stream.DisposeAsync());
        Assert.Equal(lines, AttackTree.Lines(_base));
        Assert.Equal("t", _base.Stat("/new").LinkTarget);

        Store.CollectGarbage(GcMode.Full);
        var report = Store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }

    [Fact]
    public async Task A_write_session_whose_parent_became_a_link_fails_typed()
    {
        _base.CreateDirectory("/d");
        var stream = _base.OpenWrite("/d/new");
        await stream.WriteAsync(TestData.Bytes(100, 2));
        _base.Delete("/d");
        _base.CreateSymbolicLink("/d", "t");
        var lines = AttackTree.Lines(_base);

        await Assert.ThrowsAnyAsync<NoKVException>(async () => await stream.DisposeAsync());
        Assert.Equal(lines, AttackTree.Lines(_base));
        Store.CollectGarbage(GcMode.Full);
        Assert.True(Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task Links_held_only_by_released_snapshots_and_deleted_forks_are_collected_cleanly()
    {
        var fork = await Fork();
        fork.CreateSymbolicLink("/d/l1", new string('y', 4095));
        await fork.Write("/d/f", "f");
        var snap = fork.Snapshot();
        fork.Delete("/d", recursive: true);
        var clone = Store.Clone(snap, "/clone").Workspace;
        Assert.Equal(4095, clone.Stat("/d/l1").Length);
        Store.DeleteWorkspace("/clone");
        Store.ReleaseSnapshot(snap.Id);
        Store.DeleteWorkspace("/fork");
        Store.CollectGarbage(GcMode.Full);
        var report = Store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
        Assert.Equal("x", await _base.ReadText("/d/x"));
    }
}
