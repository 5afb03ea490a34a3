namespace NoKV.Tests;

/// <summary>attack5: attribute changes through promote under every strategy, and through subtree clones.</summary>
public sealed class AttributePromoteAttackTests : IDisposable
{
    private static readonly UnixFileMode Mode700 = (UnixFileMode)0x1C0;
    private static readonly UnixFileMode Mode750 = (UnixFileMode)0x1E8;
    private static readonly UnixFileMode Mode711 = (UnixFileMode)0x1C9;

    private readonly TempStore _temp = new();
    private readonly Workspace _base;
    private WorkspaceStore Store => _temp.Store;

    public AttributePromoteAttackTests() => _base = _temp.Store.CreateWorkspace("/base");

    public void Dispose() => _temp.Dispose();

    private async Task<Workspace> Fork()
    {
        _base.CreateDirectory("/d/sub");
        await _base.Write("/d/x", "x");
        await _base.Write("/d/sub/y", "y");
        return Store.Clone("/base", "/fork").Workspace;
    }

    [Fact]
    public async Task PreferTarget_still_applies_a_directory_mode_the_target_did_not_touch_when_a_conflict_sits_below_it()
    {
        var fork = await Fork();
        fork.SetUnixFileMode("/d", Mode700); // no conflict: the target leaves /d's attributes alone
        await fork.Write("/d/x", "fork");
        await _base.Write("/d/x", "target"); // conflict below /d

        var result = Store.Promote("/fork", "/base", new PromoteOptions { Strategy = PromoteStrategy.PreferTarget });

        Assert.True(result.Promoted);
        Assert.Equal(["/d/x"], result.Conflicts.Select(c => c.Path));
        Assert.Equal("target", await _base.ReadText("/d/x"));
        // Only the conflict may differ from the fork afterwards.
        Assert.Equal([new SubtreeDelta("/d/x", DeltaKind.Modified)], Store.Diff("/fork", "/base"));
        Assert.Equal(Mode700, _base.Stat("/d").Mode);
    }

    [Fact]
    public async Task PreferTarget_keeps_the_target_side_of_a_directory_attribute_conflict_and_applies_the_rest_below()
    {
        var fork = await Fork();
        fork.SetUnixFileMode("/d", Mode700);
        _base.SetUnixFileMode("/d", Mode750);
        await fork.Write("/d/sub/from-fork", "f");
        fork.SetOwner("/d/x", 7, 7);
        await _base.Write("/d/from-target", "t");

        var result = Store.Promote("/fork", "/base", new PromoteOptions { Strategy = PromoteStrategy.PreferTarget });

        Assert.True(result.Promoted);
        Assert.Equal(["/d"], result.Conflicts.Select(c => c.Path));
        Assert.Equal(Mode750, _base.Stat("/d").Mode);
        Assert.Equal("f", await _base.ReadText("/d/sub/from-fork"));
        Assert.Equal(7, _base.Stat("/d/x").OwnerId);
        Assert.Equal("t", await _base.ReadText("/d/from-target"));

        var forked = Store.Promote("/fork", "/base", new PromoteOptions { Strategy = PromoteStrategy.PreferFork });
        Assert.True(forked.Promoted);
        Assert.Equal(Mode700, _base.Stat("/d").Mode);
        Assert.Equal("t", await _base.ReadText("/d/from-target"));
        Assert.True(Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task Root_mode_conflict_under_each_strategy()
    {
        var fork = await Fork();
        fork.SetUnixFileMode("/", Mode700);
        _base.SetUnixFileMode("/", Mode750);
        await fork.Write("/new", "n");

        var failed = Store.Promote("/fork", "/base");
        Assert.False(failed.Promoted);
        Assert.Equal(["/"], failed.Conflicts.Select(c => c.Path));
        Assert.Equal(Mode750, _base.Stat("/").Mode);
        Assert.False(_base.Exists("/new"));

        var target = Store.Promote("/fork", "/base", new PromoteOptions { Strategy = PromoteStrategy.PreferTarget });
        Assert.True(target.Promoted);
        Assert.Equal(Mode750, _base.Stat("/").Mode);
        Assert.True(_base.Exists("/new"));

        var forked = Store.Promote("/fork", "/base", new PromoteOptions { Strategy = PromoteStrategy.PreferFork });
        Assert.True(forked.Promoted);
        Assert.Equal(Mode700, _base.Stat("/").Mode);
        Assert.Empty(Store.Diff("/fork", "/base"));
    }

    [Fact]
    public async Task A_clone_of_a_subdirectory_whose_root_mode_changed_promotes_back_onto_that_directory_only()
    {
        await Fork();
        var clone = Store.Clone("/base/d", "/sub-fork").Workspace;
        clone.SetUnixFileMode("/", Mode711);
        clone.SetOwner("/", 12, 13);
        var rootBefore = _base.Stat("/");

        Assert.Equal([new SubtreeDelta("/", DeltaKind.Modified)], Store.Diff("/base/d", "/sub-fork"));
        var result = Store.Promote("/sub-fork", "/base/d");

        Assert.True(result.Promoted);
        Assert.Equal(Mode711, _base.Stat("/d").Mode);
        Assert.Equal((12L, 13L), (_base.Stat("/d").OwnerId, _base.Stat("/d").GroupId));
        Assert.Equal(rootBefore.Mode, _base.Stat("/").Mode);
        Assert.Equal(rootBefore.OwnerId, _base.Stat("/").OwnerId);
        Assert.Empty(Store.Diff("/base/d", "/sub-fork"));
        Assert.True(Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task Promote_that_adds_an_entry_moves_the_target_directory_times_forward()
    {
        var fork = await Fork();
        await Task.Delay(20);
        await fork.Write("/d/new", "n");
        await Task.Delay(20);
        await _base.Write("/d/sub/target-side", "t"); // the target's /d/sub changes later than anything in the fork
        var subBefore = _base.Stat("/d/sub");
        var dBefore = _base.Stat("/d");

        var result = Store.Promote("/fork", "/base");

        Assert.True(result.Promoted);
        var d = _base.Stat("/d");
        // POSIX: adding an entry sets its directory's mtime and ctime to now; they never go back.
        Assert.True(d.LastWriteTime > dBefore.LastWriteTime, $"/d mtime {d.LastWriteTime:O} was {dBefore.LastWriteTime:O}");
        Assert.True(d.ChangeTime >= dBefore.ChangeTime, $"/d ctime {d.ChangeTime:O} was {dBefore.ChangeTime:O}");
        Assert.Equal(subBefore, _base.Stat("/d/sub"));
    }

    [Fact]
    public async Task Promote_of_a_directory_mode_never_moves_the_target_directory_times_backwards()
    {
        var fork = await Fork();
        fork.SetUnixFileMode("/d", Mode700);
        await Task.Delay(20);
        await _base.Write("/d/later", "t"); // /d's mtime and ctime move on the target, after the fork's chmod
        var before = _base.Stat("/d");

        var result = Store.Promote("/fork", "/base");

        Assert.True(result.Promoted);
        var after = _base.Stat("/d");
        Assert.Equal(Mode700, after.Mode);
        Assert.True(after.ChangeTime >= before.ChangeTime, $"/d ctime went back from {before.ChangeTime:O} to {after.ChangeTime:O}");
        Assert.True(after.LastWriteTime >= before.LastWriteTime, $"/d mtime went back from {before.LastWriteTime:O} to {after.LastWriteTime:O}");
    }
}
