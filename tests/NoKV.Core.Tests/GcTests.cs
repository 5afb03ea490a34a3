namespace NoKV.Tests;

public sealed class GcTests : IDisposable
{
    private readonly TempStore _temp = new();
    private WorkspaceStore Store => _temp.Store;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Deleting_a_fork_reclaims_only_its_own_blocks()
    {
        var ws = Store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/shared", TestData.Bytes(2 * TempStore.SmallChunk, 1));
        var fork = Store.Clone("/base", "/forks/a");
        var shared = _temp.BlockFiles();
        await fork.Workspace.WriteAllBytesAsync("/own", TestData.Bytes(3 * TempStore.SmallChunk, 2));

        Store.DeleteWorkspace("/forks/a");
        Store.ReleaseSnapshot(fork.SnapshotId);
        var report = Store.CollectGarbage();

        Assert.Equal(3, report.BlocksDeleted);
        Assert.Equal(shared, _temp.BlockFiles());
        Assert.Equal(TestData.Bytes(2 * TempStore.SmallChunk, 1), await ws.ReadAllBytesAsync("/shared"));
    }

    [Fact]
    public async Task A_snapshot_blocks_collection_of_overwritten_data_until_released()
    {
        var ws = Store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(2 * TempStore.SmallChunk, 1));
        var pin = ws.Snapshot();
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(TempStore.SmallChunk, 2));

        Assert.Equal(0, Store.CollectGarbage().BlocksDeleted);
        Assert.Equal(3, _temp.BlockFiles().Count);
        Assert.Equal(2 * TempStore.SmallChunk, (await pin.ReadAllBytesAsync("/f")).Length);

        Store.ReleaseSnapshot(pin.Id);
        var report = Store.CollectGarbage();
        Assert.Equal(2, report.BlocksDeleted);
        Assert.Equal(1, report.LayersMerged);
        Assert.Equal(TestData.Bytes(TempStore.SmallChunk, 2), await ws.ReadAllBytesAsync("/f"));
    }

    [Fact]
    public async Task Overwrites_within_one_head_are_reclaimed_immediately()
    {
        var ws = Store.CreateWorkspace("/base");
        for (var i = 0; i < 5; i++) await ws.WriteAllBytesAsync("/f", TestData.Bytes(TempStore.SmallChunk, i));
        Assert.Equal(4, Store.CollectGarbage().BlocksDeleted);
        Assert.Single(_temp.BlockFiles());
    }

    [Fact]
    public async Task Dropping_everything_then_gc_leaves_the_block_store_empty()
    {
        var ws = Store.CreateWorkspace("/base");
        ws.CreateDirectory("/d");
        for (var i = 0; i < 10; i++) await ws.WriteAllBytesAsync($"/d/f{i}", TestData.Bytes(i * 1000 + 1, i));
        var pin = ws.Snapshot();
        var a = Store.Clone(pin, "/forks/a").Workspace;
        var b = Store.Clone("/base", "/forks/b");
        await a.Write("/d/f1", "a");
        await b.Workspace.Write("/d/f2", "b");
        a.Rollback(pin);
        await ws.Write("/d/f3", "base");
        var pin2 = Store.Snapshot("/base/d");
        Store.Clone(pin2, "/forks/c");
        _temp.Reopen();

        foreach (var w in Store.ListWorkspaces()) Store.DeleteWorkspace(w.Path);
        foreach (var id in new[] { pin.Id, b.SnapshotId, pin2.Id }) Store.ReleaseSnapshot(id);
        Store.CollectGarbage();

        Assert.Empty(_temp.BlockFiles());
        var leftovers = Store.Read(txn => new[]
            {
                Lmdb.Db.Layers, Lmdb.Db.Inodes, Lmdb.Db.Dentries, Lmdb.Db.Generations, Lmdb.Db.Chunks, Lmdb.Db.LayerIndex, Lmdb.Db.LayerChildren,
                Lmdb.Db.GcLayers, Lmdb.Db.GcGenerations, Lmdb.Db.GcShadowed, Lmdb.Db.PendingGenerations, Lmdb.Db.Pins, Lmdb.Db.PinsByWorkspace,
            }.Select(db => txn.Count(db)).Sum());
        Assert.Equal(0, leftovers);
    }

    [Fact]
    public async Task Gc_never_deletes_a_block_any_workspace_or_snapshot_reaches()
    {
        // What each live workspace and pin must read, path by path: recorded when written,
        // never read back from the store, so a lost or wrong block cannot go unnoticed.
        var expectedWorkspaces = new Dictionary<string, Dictionary<string, byte[]>>(StringComparer.Ordinal);
        var expectedPins = new Dictionary<long, (SnapshotPin Pin, Dictionary<string, byte[]> Files)>();
        var ws = Store.CreateWorkspace("/base");
        expectedWorkspaces["/base"] = new(StringComparer.Ordinal);
        async Task Write(Workspace w, string path, byte[] data)
        {
            await w.WriteAllBytesAsync(path, data);
            expectedWorkspaces[w.Path][path] = data;
        }
        await Write(ws, "/f", TestData.Bytes(2 * TempStore.SmallChunk, 1));
        await Write(ws, "/keep", TestData.Bytes(3 * TempStore.SmallChunk + 5, 2));
        for (var round = 0; round < 5; round++)
        {
            var pin = ws.Snapshot();
            expectedPins[pin.Id] = (pin, new(expectedWorkspaces["/base"], StringComparer.Ordinal));
            var clone = Store.Clone("/base", $"/forks/{round}");
            expectedPins[clone.SnapshotId] = (Store.GetSnapshot(clone.SnapshotId), new(expectedWorkspaces["/base"], StringComparer.Ordinal));
            expectedWorkspaces[clone.Workspace.Path] = new(expectedWorkspaces["/base"], StringComparer.Ordinal);
            await Write(clone.Workspace, "/f", TestData.Bytes(TempStore.SmallChunk, 100 + round));
            await Write(ws, "/f", TestData.Bytes(TempStore.SmallChunk + round, 200 + round));
            if (round % 2 == 0)
            {
                Store.ReleaseSnapshot(pin.Id);
                expectedPins.Remove(pin.Id);
            }
            if (round == 3)
            {
                Store.DeleteWorkspace("/forks/1");
                expectedWorkspaces.Remove("/forks/1");
                Store.ReleaseSnapshot(clone.SnapshotId);
                expectedPins.Remove(clone.SnapshotId);
            }
            Store.CollectGarbage(round == 4 ? GcMode.Full : GcMode.Incremental);

            // Every file of every live workspace and pin reads exactly its bytes (reads also verify checksums).
            Assert.Equal(expectedWorkspaces.Keys.Order(StringComparer.Ordinal), Store.ListWorkspaces().Select(w => w.Path));
            foreach (var (path, files) in expectedWorkspaces)
            {
                var live = Store.OpenWorkspace(path);
                Assert.Equal(files.Keys.Order(StringComparer.Ordinal), live.List("/").Select(n => n.Path));
                foreach (var (file, bytes) in files) Assert.Equal(bytes, await live.ReadAllBytesAsync(file));
            }
            Assert.Equal(expectedPins.Keys.Order(), Store.ListSnapshots().Select(p => p.Id));
            foreach (var (pin2, files) in expectedPins.Values)
            {
                Assert.Equal(files.Keys.Order(StringComparer.Ordinal), pin2.List("/").Select(n => n.Path));
                foreach (var (file, bytes) in files) Assert.Equal(bytes, await pin2.ReadAllBytesAsync(file));
            }
        }
        Assert.True(Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task A_version_both_the_base_and_its_fork_overwrote_is_reclaimed()
    {
        var ws = Store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(2 * TempStore.SmallChunk, 1));
        var fork = Store.Clone("/base", "/forks/a");
        await ws.Write("/f", "base");
        await fork.Workspace.Write("/f", "fork");
        Assert.Equal(0, Store.CollectGarbage().BlocksDeleted); // the snapshot still reads the old version

        Store.ReleaseSnapshot(fork.SnapshotId);
        var report = Store.CollectGarbage();

        Assert.Equal(1, report.ShadowedVersionsCollected);
        Assert.Equal(2, report.BlocksDeleted);
        Assert.Equal("base", await ws.ReadText("/f"));
        Assert.Equal("fork", await fork.Workspace.ReadText("/f"));
    }

    [Fact]
    public async Task A_version_one_live_branch_still_sees_is_kept()
    {
        var ws = Store.CreateWorkspace("/base");
        await ws.Write("/f", "original");
        var fork = Store.Clone("/base", "/forks/a");
        await ws.Write("/f", "base");
        Store.ReleaseSnapshot(fork.SnapshotId);

        Assert.Equal(0, Store.CollectGarbage().BlocksDeleted);
        Assert.Equal("original", await fork.Workspace.ReadText("/f"));

        await fork.Workspace.Write("/f", "fork");
        Assert.Equal(1, Store.CollectGarbage().BlocksDeleted);
    }

    [Fact]
    public async Task Blocks_of_a_write_session_that_never_published_are_reclaimed_after_a_crash()
    {
        var ws = Store.CreateWorkspace("/base");
        await ws.Write("/kept", "kept");
        var unfinished = ws.OpenWrite("/never");
        unfinished.Write(TestData.Bytes(3 * TempStore.SmallChunk, 1)); // three blocks uploaded, never published
        unfinished.Flush();
        Assert.Equal(4, _temp.BlockFiles().Count);
        Assert.Equal(0, Store.CollectGarbage().OrphansDeleted); // still being written in this process

        var store = _temp.Reopen(); // as if the process died: the stream is never disposed
        var report = store.CollectGarbage();

        Assert.Equal(3, report.OrphansDeleted);
        Assert.Single(_temp.BlockFiles());
        Assert.Equal("kept", await store.OpenWorkspace("/base").ReadText("/kept"));
        Assert.False(store.OpenWorkspace("/base").Exists("/never"));
    }

    [Fact]
    public async Task Orphans_younger_than_the_grace_period_are_kept()
    {
        _temp.Store.Dispose();
        using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = _temp.Directory, ChunkSize = TempStore.SmallChunk, OrphanGracePeriod = TimeSpan.FromHours(1) });
        var ws = store.CreateWorkspace("/base");
        var unfinished = ws.OpenWrite("/never");
        unfinished.Write(TestData.Bytes(TempStore.SmallChunk, 1));
        unfinished.Flush();
        store.Dispose();

        using var reopened = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = _temp.Directory, ChunkSize = TempStore.SmallChunk, OrphanGracePeriod = TimeSpan.FromHours(1) });
        Assert.Equal(0, reopened.CollectGarbage(GcMode.Full).OrphansDeleted);
        Assert.Single(_temp.BlockFiles());
    }

    [Fact]
    public async Task A_full_sweep_deletes_blocks_no_metadata_knows_and_counts_snapshot_only_blocks()
    {
        var ws = Store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(2 * TempStore.SmallChunk, 1));
        ws.Snapshot();
        await ws.Write("/f", "new");
        var stray = Path.Combine(_temp.BlocksDirectory, "77", "88", "999999999", "0");
        Directory.CreateDirectory(Path.GetDirectoryName(stray)!);
        File.WriteAllBytes(stray, [1, 2, 3]);
        var foreign = Path.Combine(_temp.BlocksDirectory, "not-ours.txt");
        File.WriteAllBytes(foreign, [1]);

        var incremental = Store.CollectGarbage();
        Assert.Equal(0, incremental.OrphansDeleted);
        Assert.Null(incremental.BlocksBlockedBySnapshots);

        var full = Store.CollectGarbage(GcMode.Full);
        Assert.Equal(1, full.OrphansDeleted);
        Assert.Equal(2, full.BlocksBlockedBySnapshots);
        Assert.False(File.Exists(stray));
        Assert.True(File.Exists(foreign));
        Assert.Equal("new", await ws.ReadText("/f"));
    }
}
