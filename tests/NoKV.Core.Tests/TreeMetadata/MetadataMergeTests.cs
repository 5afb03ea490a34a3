namespace NoKV.Tests.TreeMetadata;

/// <summary>Diff, promote and rollback of modes, owners and link targets (not of times alone).</summary>
public sealed class MetadataMergeTests : IDisposable
{
    private static readonly UnixFileMode Mode700 = (UnixFileMode)0x1C0;
    private static readonly UnixFileMode Mode755 = (UnixFileMode)0x1ED;
    private static readonly UnixFileMode Mode600 = (UnixFileMode)0x180;

    private readonly TempStore _temp = new();
    private readonly Workspace _base;
    private WorkspaceStore Store => _temp.Store;

    public MetadataMergeTests() => _base = _temp.Store.CreateWorkspace("/base");

    public void Dispose() => _temp.Dispose();

    private static SubtreeDelta M(string p) => new(p, DeltaKind.Modified);

    private async Task<Workspace> Fork()
    {
        _base.CreateDirectory("/d");
        await _base.Write("/d/x", "x");
        await _base.Write("/script.sh", "#!/bin/sh");
        _base.CreateSymbolicLink("/link", "d/x");
        return Store.Clone("/base", "/fork").Workspace;
    }

    [Fact]
    public async Task Diff_reports_mode_owner_and_target_changes_and_never_a_touch_alone()
    {
        var fork = await Fork();
        fork.SetLastWriteTime("/d/x", DateTimeOffset.UnixEpoch);
        fork.SetLastWriteTime("/d", DateTimeOffset.UnixEpoch);
        fork.SetLastWriteTime("/link", DateTimeOffset.UnixEpoch);
        Assert.Empty(Store.Diff("/base", "/fork"));

        fork.SetUnixFileMode("/script.sh", Mode755);
        fork.SetOwner("/d/x", 42, 42);
        fork.Delete("/link");
        fork.CreateSymbolicLink("/link", "elsewhere");
        fork.SetUnixFileMode("/d", Mode700);
        fork.SetUnixFileMode("/", Mode700);

        var expected = new[] { M("/"), M("/d"), M("/d/x"), M("/link"), M("/script.sh") };
        Assert.Equal(expected, Store.Diff("/base", "/fork"));
        Assert.Equal(expected, Store.Diff(_base.Snapshot(), fork.Snapshot()));
    }

    [Fact]
    public async Task A_link_replaced_by_a_file_or_directory_is_a_kind_change()
    {
        var fork = await Fork();
        fork.Delete("/link");
        fork.CreateDirectory("/link");
        await fork.Write("/link/inner", "i");
        Assert.Equal([M("/link"), new SubtreeDelta("/link/inner", DeltaKind.Added)], Store.Diff("/base", "/fork"));
    }

    [Fact]
    public async Task Promote_carries_attribute_changes_into_an_unchanged_target()
    {
        var fork = await Fork();
        fork.SetUnixFileMode("/script.sh", Mode755);
        fork.SetOwner("/d/x", 42, 43);
        fork.Delete("/link");
        fork.CreateSymbolicLink("/link", "script.sh");
        fork.SetUnixFileMode("/d", Mode700);

        var result = Store.Promote("/fork", "/base");

        Assert.True(result.Promoted);
        Assert.Empty(Store.Diff("/base", "/fork"));
        Assert.Equal(Mode755, _base.Stat("/script.sh").Mode);
        Assert.Equal((42, 43), (_base.Stat("/d/x").OwnerId, _base.Stat("/d/x").GroupId));
        Assert.Equal("script.sh", _base.Stat("/link").LinkTarget);
        Assert.Equal(Mode700, _base.Stat("/d").Mode);
        Assert.True(Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task Promoting_a_directory_mode_keeps_what_the_target_changed_inside_it()
    {
        var fork = await Fork();
        fork.SetUnixFileMode("/d", Mode700);
        await _base.Write("/d/from-target", "t");
        await _base.Write("/d/x", "target's x");

        var result = Store.Promote("/fork", "/base");

        Assert.True(result.Promoted);
        Assert.Empty(result.Conflicts);
        Assert.Equal([M("/d")], result.Applied);
        Assert.Equal(Mode700, _base.Stat("/d").Mode);
        Assert.Equal("t", await _base.ReadText("/d/from-target"));
        Assert.Equal("target's x", await _base.ReadText("/d/x"));
    }

    [Fact]
    public async Task Both_sides_changing_one_node_differently_is_a_conflict_and_nothing_is_applied()
    {
        var fork = await Fork();
        fork.SetUnixFileMode("/script.sh", Mode755);
        _base.SetUnixFileMode("/script.sh", Mode600);
        await fork.Write("/d/x", "fork's bytes");
        _base.SetOwner("/d/x", 9, 9); // metadata on one side, bytes on the other
        var before = await _base.Tree();

        var result = Store.Promote("/fork", "/base");

        Assert.False(result.Promoted);
        Assert.Equal(["/d/x", "/script.sh"], result.Conflicts.Select(c => c.Path).Order(StringComparer.Ordinal));
        Assert.Equal(Mode600, _base.Stat("/script.sh").Mode);
        Assert.Equal(before, await _base.Tree());

        var forced = Store.Promote("/fork", "/base", new PromoteOptions { Strategy = PromoteStrategy.PreferFork });
        Assert.True(forced.Promoted);
        Assert.Equal(Mode755, _base.Stat("/script.sh").Mode);
        Assert.Equal("fork's bytes", await _base.ReadText("/d/x"));
    }

    [Fact]
    public async Task Both_sides_making_the_same_attribute_change_is_no_conflict()
    {
        var fork = await Fork();
        fork.SetUnixFileMode("/script.sh", Mode755);
        _base.SetUnixFileMode("/script.sh", Mode755);
        var result = Store.Promote("/fork", "/base");
        Assert.True(result.Promoted);
        Assert.Empty(result.Conflicts);
    }

    [Fact]
    public async Task Subtree_rollback_restores_modes_owners_and_targets_of_the_directory_and_below()
    {
        await Fork();
        var snap = Store.Snapshot("/base/d");
        _base.SetUnixFileMode("/d", Mode700);
        _base.SetUnixFileMode("/d/x", Mode600);
        _base.SetOwner("/d/x", 5, 5);
        _base.CreateSymbolicLink("/d/new-link", "x");
        _base.SetUnixFileMode("/script.sh", Mode700); // outside the subtree: stays

        Store.Rollback("/base/d", snap.Id);

        Assert.Equal(snap.Stat("/").Mode, _base.Stat("/d").Mode);
        Assert.Equal(snap.Stat("/x"), _base.Stat("/d/x") with { Path = "/x" });
        Assert.False(_base.Exists("/d/new-link"));
        Assert.Equal(Mode700, _base.Stat("/script.sh").Mode);
        Assert.Empty(Store.Diff(snap, "/base/d"));
    }

    [Fact]
    public async Task Whole_workspace_rollback_restores_every_attribute_exactly()
    {
        await Fork();
        var snap = _base.Snapshot();
        var before = Everything(_base);
        _base.SetUnixFileMode("/", Mode700);
        _base.SetOwner("/link", 3, 3);
        _base.SetLastWriteTime("/d/x", DateTimeOffset.UnixEpoch);

        _base.Rollback(snap);

        Assert.Equal(before, Everything(_base));
        Assert.Equal(before, Everything(_temp.Reopen().OpenWorkspace("/base")));
    }

    private static List<NodeInfo> Everything(Workspace ws)
    {
        var all = new List<NodeInfo> { ws.Stat("/") };
        void Walk(string dir)
        {
            foreach (var node in ws.List(dir))
            {
                all.Add(node);
                if (node.Kind == NodeKind.Directory) Walk(node.Path);
            }
        }
        Walk("/");
        return all;
    }
}
