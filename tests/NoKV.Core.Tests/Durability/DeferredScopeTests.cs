namespace NoKV.Tests;

/// <summary>
/// A per-operation store where one flow of execution defers its writes (as the mount does:
/// durable at fsync, not at every call) while others stay durable per operation.
/// </summary>
public sealed class DeferredScopeTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly List<string> _images = [];

    public void Dispose()
    {
        _temp.Dispose();
        foreach (var image in _images)
        {
            try { Directory.Delete(image, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>Opens a copy of the store's committed files, as a killed process would leave them, and lists /w's files.</summary>
    private SortedSet<string> FilesAfterACrash()
    {
        var image = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));
        _images.Add(image);
        CrashImage.Take(_temp.Directory, image);
        using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = image, ChunkSize = _temp.ChunkSize });
        if (!store.WorkspaceExists("/w")) return [];
        return new SortedSet<string>(store.OpenWorkspace("/w").List("/").Select(n => n.Path), StringComparer.Ordinal);
    }

    [Fact]
    public async Task Writes_in_a_deferred_scope_are_published_at_once_and_durable_at_the_next_durable_write()
    {
        var store = _temp.Store;
        var ws = store.CreateWorkspace("/w");
        using (WorkspaceStore.DeferWrites())
        {
            await ws.WriteAllBytesAsync("/deferred", TestData.Bytes(100, 1));
            ws.CreateDirectory("/dir");
        }
        Assert.Equal(TestData.Bytes(100, 1), await store.OpenWorkspace("/w").ReadAllBytesAsync("/deferred"));
        Assert.True(store.Meta.HasUncommittedWrites);
        Assert.Empty(FilesAfterACrash());

        // Outside the scope a write is durable per operation, and takes the open batch with it.
        await ws.WriteAllBytesAsync("/durable", TestData.Bytes(100, 2));
        Assert.False(store.Meta.HasUncommittedWrites);
        Assert.Equal(["/deferred", "/dir", "/durable"], FilesAfterACrash());
    }

    [Fact]
    public async Task Flush_makes_a_deferred_scope_durable()
    {
        var store = _temp.Store;
        var ws = store.CreateWorkspace("/w");
        using (WorkspaceStore.DeferWrites()) await ws.WriteAllBytesAsync("/a", TestData.Bytes(10, 1));
        Assert.Empty(FilesAfterACrash());
        await store.FlushAsync();
        Assert.Equal(["/a"], FilesAfterACrash());
    }

    [Fact]
    public async Task The_scope_flows_into_async_calls_and_ends_with_its_block()
    {
        var store = _temp.Store;
        var ws = store.CreateWorkspace("/w");
        using (WorkspaceStore.DeferWrites())
        {
            await Task.Run(async () => await ws.WriteAllBytesAsync("/inner", TestData.Bytes(10, 1)));
        }
        Assert.True(store.Meta.HasUncommittedWrites);
        store.Flush();
        await ws.WriteAllBytesAsync("/outer", TestData.Bytes(10, 2));
        Assert.False(store.Meta.HasUncommittedWrites); // written after the scope: durable at once
        Assert.Equal(["/inner", "/outer"], FilesAfterACrash());
    }

    [Fact]
    public async Task Deferred_and_durable_writers_at_once_all_land_and_nothing_deadlocks()
    {
        var store = _temp.Store;
        store.CreateWorkspace("/w");
        var forks = Enumerable.Range(0, 8).Select(i => store.Clone("/w", $"/f{i}").Workspace).ToArray();
        var tasks = forks.Select((fork, i) => Task.Run(async () =>
        {
            for (var k = 0; k < 40; k++)
            {
                if (i % 2 == 0)
                {
                    using (WorkspaceStore.DeferWrites()) await fork.WriteAllBytesAsync($"/d{k}", TestData.Bytes(50, k));
                }
                else
                {
                    await fork.WriteAllBytesAsync($"/p{k}", TestData.Bytes(50, k));
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(120)); // a deadlock fails here, not by hanging
        store.Flush();
        for (var i = 0; i < forks.Length; i++)
        {
            Assert.Equal(40, store.OpenWorkspace($"/f{i}").List("/").Count);
        }
        Assert.False(store.Meta.HasUncommittedWrites);
        Assert.True(store.Verify().IsHealthy);
    }
}
