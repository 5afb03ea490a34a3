namespace NoKV.Tests;

public sealed class RollbackTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly Workspace _ws;
    private WorkspaceStore Store => _temp.Store;

    public RollbackTests() => _ws = _temp.Store.CreateWorkspace("/base");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Rollback_restores_the_snapshot_exactly_and_keeps_identity()
    {
        _ws.CreateDirectory("/src");
        await _ws.Write("/src/a", "a1");
        await _ws.WriteAllBytesAsync("/big", TestData.Bytes(3 * TempStore.SmallChunk + 1, 4));
        var pin = _ws.Snapshot();
        var expected = await pin.Tree();

        await _ws.Write("/src/a", "a2");
        _ws.Delete("/big");
        _ws.CreateDirectory("/junk/deeper");
        await _ws.Write("/junk/deeper/x", "x");
        _ws.Move("/src", "/src-moved");

        _ws.Rollback(pin);

        Assert.Equal(expected, await _ws.Tree());
        Assert.Empty(Store.Diff(pin, "/base"));
        Assert.Equal(_ws.RootInode, Store.OpenWorkspace("/base").RootInode);
        Assert.Equal(["/base"], Store.ListWorkspaces().Select(w => w.Path));
    }

    [Fact]
    public async Task Rollback_can_go_back_and_forth_between_snapshots()
    {
        await _ws.Write("/f", "1");
        var one = _ws.Snapshot();
        await _ws.Write("/f", "2");
        var two = _ws.Snapshot();

        Store.Rollback("/base", one.Id);
        Assert.Equal("1", await _ws.ReadText("/f"));
        Store.Rollback("/base", two.Id);
        Assert.Equal("2", await _ws.ReadText("/f"));
        await _ws.Write("/f", "3");
        Assert.Equal("3", await _ws.ReadText("/f"));
        Assert.Equal("1", await one.ReadText("/f"));
    }

    [Fact]
    public async Task A_fork_can_roll_back_to_its_origin_snapshot()
    {
        await _ws.Write("/f", "base");
        var fork = Store.Clone("/base", "/forks/a");
        await fork.Workspace.Write("/f", "fork");
        fork.Workspace.Rollback(Store.GetSnapshot(fork.SnapshotId));
        Assert.Equal("base", await fork.Workspace.ReadText("/f"));
        Assert.Empty(Store.Diff("/base", "/forks/a"));
    }

    [Fact]
    public async Task Rollback_to_an_unrelated_snapshot_is_refused_and_changes_nothing()
    {
        var other = Store.CreateWorkspace("/other");
        await other.Write("/o", "o");
        var otherPin = other.Snapshot();
        await _ws.Write("/mine", "m");
        var before = await _ws.Tree();

        Assert.Throws<UnrelatedSnapshotException>(() => Store.Rollback("/base", otherPin.Id));
        Assert.Throws<SnapshotNotFoundException>(() => Store.Rollback("/base", 999_999));
        Assert.Throws<WorkspaceNotFoundException>(() => Store.Rollback("/nope", otherPin.Id));
        Assert.Equal(before, await _ws.Tree());
    }

    [Fact]
    public async Task Rollback_of_a_subdirectory_restores_only_that_subtree()
    {
        _ws.CreateDirectory("/src/lib/deep");
        await _ws.Write("/src/a", "a1");
        await _ws.Write("/src/lib/deep/x", "x1");
        await _ws.Write("/src/gone-later", "g");
        await _ws.Write("/outside", "o1");
        var srcInode = _ws.Stat("/src").Inode;
        var pin = Store.Snapshot("/base/src");
        var expected = await pin.Tree();

        await _ws.Write("/src/a", "a2");
        await _ws.Write("/src/lib/deep/new", "n");
        _ws.Delete("/src/gone-later");
        _ws.Delete("/src/lib/deep/x");
        _ws.CreateDirectory("/src/added/dir");
        _ws.Move("/src/lib", "/src/lib2");
        await _ws.Write("/outside", "o2");

        Store.Rollback("/base/src", pin.Id);

        Assert.Empty(Store.Diff(pin, "/base/src"));
        Assert.Equal(expected, await Store.Clone("/base/src", "/check").Workspace.Tree());
        Assert.Equal(srcInode, _ws.Stat("/src").Inode);
        Assert.Equal("o2", await _ws.ReadText("/outside"));
        Assert.Equal(pin.Stat("/a").Generation, _ws.Stat("/src/a").Generation);
    }

    [Fact]
    public async Task Subtree_rollback_gives_a_fresh_inode_to_a_node_that_moved_out_of_the_subtree()
    {
        _ws.CreateDirectory("/src");
        _ws.CreateDirectory("/other");
        await _ws.Write("/src/a", "a");
        var pin = Store.Snapshot("/base/src");
        _ws.Move("/src/a", "/other/a");

        Store.Rollback("/base/src", pin.Id);

        Assert.Equal("a", await _ws.ReadText("/src/a"));
        Assert.Equal("a", await _ws.ReadText("/other/a"));
        Assert.NotEqual(_ws.Stat("/src/a").Inode, _ws.Stat("/other/a").Inode);
        _ws.Delete("/other/a");
        Assert.Equal("a", await _ws.ReadText("/src/a"));
        Store.CollectGarbage();
        Assert.Equal("a", await _ws.ReadText("/src/a"));
    }

    [Fact]
    public async Task Subtree_rollback_needs_a_snapshot_of_that_directory()
    {
        _ws.CreateDirectory("/src");
        _ws.CreateDirectory("/lib");
        var rootPin = _ws.Snapshot();
        var libPin = Store.Snapshot("/base/lib");
        await _ws.Write("/src/x", "x");

        Assert.Throws<UnrelatedSnapshotException>(() => Store.Rollback("/base/src", rootPin.Id));
        Assert.Throws<UnrelatedSnapshotException>(() => Store.Rollback("/base/src", libPin.Id));
        Assert.Throws<PathNotFoundException>(() => Store.Rollback("/base/missing", libPin.Id));
        Assert.True(_ws.Exists("/src/x"));
    }

    [Fact]
    public async Task Subtree_rollback_garbage_is_reclaimed_and_restored_blocks_survive()
    {
        _ws.CreateDirectory("/src");
        await _ws.WriteAllBytesAsync("/src/keep", TestData.Bytes(2 * TempStore.SmallChunk, 1));
        var pin = Store.Snapshot("/base/src");
        _ws.Delete("/src/keep");
        await _ws.WriteAllBytesAsync("/src/discard", TestData.Bytes(3 * TempStore.SmallChunk, 2));

        Store.Rollback("/base/src", pin.Id);
        Store.ReleaseSnapshot(pin.Id);
        var report = Store.CollectGarbage();

        Assert.Equal(3, report.BlocksDeleted);
        Assert.Equal(TestData.Bytes(2 * TempStore.SmallChunk, 1), await _ws.ReadAllBytesAsync("/src/keep"));
        Assert.Equal(2, _temp.BlockFiles().Count);
    }

    [Fact]
    public async Task Blocks_written_after_the_snapshot_are_reclaimed_after_rollback_and_restored_ones_survive()
    {
        await _ws.WriteAllBytesAsync("/keep", TestData.Bytes(2 * TempStore.SmallChunk, 1));
        var pin = _ws.Snapshot();
        var kept = _temp.BlockFiles();
        await _ws.WriteAllBytesAsync("/discard", TestData.Bytes(3 * TempStore.SmallChunk, 2));
        await _ws.WriteAllBytesAsync("/keep", TestData.Bytes(TempStore.SmallChunk, 3));

        _ws.Rollback(pin);
        var report = Store.CollectGarbage();

        Assert.Equal(4, report.BlocksDeleted);
        Assert.Equal(kept, _temp.BlockFiles());
        Assert.Equal(TestData.Bytes(2 * TempStore.SmallChunk, 1), await _ws.ReadAllBytesAsync("/keep"));
    }
}
