namespace NoKV.Tests;

public sealed class WriterRaceTests : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Of_two_writers_on_one_file_the_later_publish_wins_whole()
    {
        var ws = _temp.Store.CreateWorkspace("/w");
        var first = TestData.Bytes(5 * TempStore.SmallChunk + 1, 1);
        var second = TestData.Bytes(3 * TempStore.SmallChunk + 2, 2);

        var a = ws.OpenWrite("/f");
        var b = ws.OpenWrite("/f");
        await a.WriteAsync(first);
        await b.WriteAsync(second);
        await b.DisposeAsync();
        Assert.Equal(second, await ws.ReadAllBytesAsync("/f"));
        await a.DisposeAsync();
        Assert.Equal(first, await ws.ReadAllBytesAsync("/f"));
    }

    [Fact]
    public async Task Racing_writers_leave_exactly_one_whole_version()
    {
        var ws = _temp.Store.CreateWorkspace("/w");
        var versions = Enumerable.Range(0, 8).Select(i => TestData.Bytes((i + 1) * TempStore.SmallChunk + i, i)).ToArray();
        for (var round = 0; round < 5; round++)
        {
            await Parallel.ForEachAsync(versions, async (data, ct) => await ws.WriteAllBytesAsync("/f", data, ct));
            var final = await ws.ReadAllBytesAsync("/f");
            Assert.Contains(versions, v => v.AsSpan().SequenceEqual(final));
        }
        _temp.Store.CollectGarbage();
        Assert.Equal(ws.Stat("/f").Length, (await ws.ReadAllBytesAsync("/f")).Length);
        Assert.True(_temp.Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task A_full_disk_during_a_write_fails_dispose_and_keeps_the_previous_version()
    {
        _temp.Store.Dispose();
        var disk = new FaultyBlockStore(new LocalBlockStore(Path.Combine(_temp.Directory, "blocks")), _ => new IOException("No space left on device"));
        using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = _temp.Directory, ChunkSize = TempStore.SmallChunk, BlockStore = disk, OrphanGracePeriod = TimeSpan.Zero });
        var ws = store.CreateWorkspace("/w");
        var old = TestData.Bytes(2 * TempStore.SmallChunk, 1);
        await ws.WriteAllBytesAsync("/f", old);

        disk.PutsBeforeFailing = 2; // the next write fills the disk on its third chunk
        var e = await Assert.ThrowsAsync<IOException>(() => ws.WriteAllBytesAsync("/f", TestData.Bytes(6 * TempStore.SmallChunk, 2)));
        Assert.Contains("No space left", e.Message, StringComparison.Ordinal);

        disk.PutsBeforeFailing = int.MaxValue;
        Assert.Equal(old, await ws.ReadAllBytesAsync("/f"));
        store.CollectGarbage();
        var report = store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
        Assert.Equal(2, Directory.EnumerateFiles(Path.Combine(_temp.Directory, "blocks"), "*", SearchOption.AllDirectories).Count());
    }
}
