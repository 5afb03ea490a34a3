namespace NoKV.Tests;

public sealed class SnapshotTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly Workspace _ws;
    private WorkspaceStore Store => _temp.Store;

    public SnapshotTests() => _ws = _temp.Store.CreateWorkspace("/base");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_snapshot_reads_the_same_tree_forever()
    {
        _ws.CreateDirectory("/src");
        await _ws.Write("/src/a", "a1");
        await _ws.Write("/b", "b1");
        var pin = _ws.Snapshot();
        var frozen = await pin.Tree();

        await _ws.Write("/src/a", "a2");
        _ws.Delete("/b");
        await _ws.Write("/c", "new");
        _ws.Move("/src", "/src2");
        Store.CollectGarbage();

        Assert.Equal(frozen, await pin.Tree());
        Assert.Equal(frozen, await _temp.Reopen().GetSnapshot(pin.Id).Tree());
    }

    [Fact]
    public async Task Snapshot_of_a_subdirectory_is_rooted_there()
    {
        _ws.CreateDirectory("/src/lib");
        await _ws.Write("/src/lib/x", "x");
        await _ws.Write("/top", "t");

        var pin = Store.Snapshot("/base/src");
        Assert.Equal("/base/src", pin.Root);
        Assert.Equal("/base", pin.WorkspacePath);
        Assert.Equal(["lib"], pin.List("/").Select(n => n.Name));
        Assert.Equal("x", await pin.ReadText("/lib/x"));
        Assert.False(pin.Exists("/top"));
    }

    [Fact]
    public async Task Snapshot_of_a_file_or_missing_path_is_refused()
    {
        await _ws.Write("/f", "f");
        Assert.Throws<NotADirectoryException>(() => Store.Snapshot("/base/f"));
        Assert.Throws<PathNotFoundException>(() => Store.Snapshot("/base/missing"));
        Assert.Empty(Store.ListSnapshots("/base"));
    }

    [Fact]
    public async Task Snapshots_are_listed_fetched_and_released()
    {
        await _ws.Write("/f", "1");
        var s1 = _ws.Snapshot();
        await _ws.Write("/f", "2");
        var s2 = _ws.Snapshot();

        Assert.True(s2.ReadVersion > s1.ReadVersion);
        Assert.Equal([s1.Id, s2.Id], Store.ListSnapshots("/base").Select(s => s.Id));
        Assert.Equal("1", await Store.GetSnapshot(s1.Id).ReadText("/f"));

        Store.ReleaseSnapshot(s1.Id);
        Assert.Equal([s2.Id], Store.ListSnapshots("/base").Select(s => s.Id));
        Assert.Throws<SnapshotNotFoundException>(() => Store.GetSnapshot(s1.Id));
        Assert.Throws<SnapshotNotFoundException>(() => s1.List("/"));
        Assert.Throws<SnapshotNotFoundException>(() => Store.ReleaseSnapshot(s1.Id));
        Assert.Equal("2", await s2.ReadText("/f"));
    }

    [Fact]
    public async Task Writing_through_a_snapshot_stream_is_refused()
    {
        await _ws.Write("/f", "f");
        var pin = _ws.Snapshot();
        await using var stream = pin.OpenRead("/f");
        Assert.False(stream.CanWrite);
        Assert.Throws<ReadOnlySnapshotException>(() => stream.Write([1, 2, 3]));
        Assert.Equal("f", await pin.ReadText("/f"));
    }

    [Fact]
    public async Task A_snapshot_survives_deleting_its_workspace_until_released()
    {
        await _ws.WriteAllBytesAsync("/f", TestData.Bytes(2 * TempStore.SmallChunk, 5));
        var pin = _ws.Snapshot();
        Store.DeleteWorkspace("/base");
        Store.CollectGarbage();
        Assert.Equal(2 * TempStore.SmallChunk, (await pin.ReadAllBytesAsync("/f")).Length);

        Store.ReleaseSnapshot(pin.Id);
        Store.CollectGarbage();
        Assert.Empty(_temp.BlockFiles());
    }

    [Fact]
    public void Idle_snapshots_do_not_deepen_the_layer_chain()
    {
        _ws.CreateDirectory("/d");
        var first = _ws.Snapshot();
        for (var i = 0; i < 50; i++) _ws.Snapshot();
        var chainLength = Store.Read(txn => Layers.LayerTable.Chain(txn, Lmdb.WorkspaceRecord.Decode(txn.Get(Lmdb.Db.Workspaces, WorkspaceStore.PathKey("/base"))!).HeadLayer).Length);
        Assert.Equal(2, chainLength);
        Assert.Equal(51, Store.ListSnapshots("/base").Count);
        Assert.True(first.Exists("/d"));
    }
}
