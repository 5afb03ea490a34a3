using FsCheck;
using FsCheck.Fluent;
using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// Durability.Deferred: operations are published when they return and committed together,
/// durably, at a flush (explicit, by interval, by snapshot/clone, by dispose). A "crash image"
/// (a copy of the store's files taken while it is open, as a killed process leaves them) shows
/// exactly what was committed.
/// </summary>
public sealed class DeferredDurabilityTests : IDisposable
{
    private readonly List<string> _directories = [];

    public void Dispose()
    {
        foreach (var store in _opened) store.Dispose();
        foreach (var directory in _directories)
        {
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
        }
    }

    private static WorkspaceStore OpenDeferred(string directory, TimeSpan flushInterval) => WorkspaceStore.Open(new WorkspaceStoreOptions
    {
        Directory = directory,
        ChunkSize = TempStore.SmallChunk,
        Durability = Durability.Deferred,
        FlushInterval = flushInterval,
    });

    private string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));
        _directories.Add(directory);
        return directory;
    }

    /// <summary>A copy of the store's files as a killed process would leave them (see <see cref="NoKV.Tests.CrashImage"/>).</summary>
    private string CrashImage(string storeDirectory)
    {
        var image = NewDirectory();
        Tests.CrashImage.Take(storeDirectory, image);
        return image;
    }

    private static Dictionary<string, byte[]> Files(WorkspaceStore store, string workspace)
    {
        if (!store.ListWorkspaces().Any(w => w.Path == workspace)) return [];
        var ws = store.OpenWorkspace(workspace);
        return ws.List("/").ToDictionary(n => n.Path, n => ws.ReadAllBytesAsync(n.Path).GetAwaiter().GetResult(), StringComparer.Ordinal);
    }

    [Fact]
    public async Task Writes_are_published_at_once_and_share_one_durable_commit()
    {
        var directory = NewDirectory();
        using var store = OpenDeferred(directory, TimeSpan.FromMinutes(1));
        var ws = store.CreateWorkspace("/w");
        var (batchesBefore, _) = store.Meta.GroupCommits;

        // Written from two threads; each file is read back at once from a third.
        await Task.WhenAll(Enumerable.Range(0, 2).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++) await ws.WriteAllBytesAsync($"/t{t}-{i}", TestData.Bytes(100 + i, t * 100 + i));
        })));
        var reader = store.OpenWorkspace("/w");
        for (var t = 0; t < 2; t++)
        {
            for (var i = 0; i < 50; i++) Assert.Equal(TestData.Bytes(100 + i, t * 100 + i), await reader.ReadAllBytesAsync($"/t{t}-{i}"));
        }
        Assert.Equal(batchesBefore, store.Meta.GroupCommits.Batches); // nothing committed yet
        Assert.Empty(Files(OpenImage(directory), "/w")); // and a crash now would lose it all, the workspace included

        store.Flush();
        var (batches, writes) = store.Meta.GroupCommits;
        Assert.Equal(batchesBefore + 1, batches);
        Assert.True(writes >= 101, $"{writes} writes committed"); // the workspace and 100 files (and id bookkeeping), in one commit
        Assert.Equal(100, Files(OpenImage(directory), "/w").Count);
    }

    private WorkspaceStore OpenImage(string directory)
    {
        var image = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = CrashImage(directory), ChunkSize = TempStore.SmallChunk });
        _opened.Add(image);
        return image;
    }

    private readonly List<WorkspaceStore> _opened = [];

    [Fact]
    public async Task A_batch_becomes_durable_by_itself_within_the_flush_interval()
    {
        var directory = NewDirectory();
        using var store = OpenDeferred(directory, TimeSpan.FromMilliseconds(20));
        var ws = store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(300, 1));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (store.Meta.HasUncommittedWrites && DateTime.UtcNow < deadline) await Task.Delay(5);
        Assert.False(store.Meta.HasUncommittedWrites); // committed without a flush
        Assert.True(store.Meta.GroupCommits.Batches >= 1);
        Assert.Equal(TestData.Bytes(300, 1), Files(OpenImage(directory), "/w")["/f"]);
    }

    [Fact]
    public async Task Snapshot_clone_and_dispose_make_everything_before_them_durable()
    {
        var directory = NewDirectory();
        var store = OpenDeferred(directory, TimeSpan.FromMinutes(1));
        var ws = store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/a", TestData.Bytes(10, 1));
        var pin = store.Snapshot("/w");
        Assert.Equal(TestData.Bytes(10, 1), Files(OpenImage(directory), "/w")["/a"]);

        await ws.WriteAllBytesAsync("/b", TestData.Bytes(20, 2));
        store.Clone(pin, "/c");
        Assert.True(Files(OpenImage(directory), "/w").ContainsKey("/b"));

        await ws.WriteAllBytesAsync("/d", TestData.Bytes(30, 3));
        Assert.False(Files(OpenImage(directory), "/w").ContainsKey("/d"));
        store.Dispose();
        using var reopened = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory, ChunkSize = TempStore.SmallChunk });
        Assert.Equal(["/a", "/b", "/d"], Files(reopened, "/w").Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_write_that_fails_in_a_batch_is_rolled_back_alone()
    {
        var directory = NewDirectory();
        using var store = OpenDeferred(directory, TimeSpan.FromMinutes(1));
        var ws = store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/file", TestData.Bytes(10, 1));
        Assert.Throws<NotADirectoryException>(() => ws.CreateDirectory("/file/sub"));
        await ws.WriteAllBytesAsync("/after", TestData.Bytes(10, 2));
        await store.FlushAsync();
        Assert.Equal(["/after", "/file"], Files(OpenImage(directory), "/w").Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_failed_batch_commit_loses_only_that_batch_and_the_store_refuses_changes_until_reopened()
    {
        var directory = NewDirectory();
        var store = OpenDeferred(directory, TimeSpan.FromMinutes(1));
        var ws = store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/kept", TestData.Bytes(10, 1));
        store.Flush();
        await ws.WriteAllBytesAsync("/lost", TestData.Bytes(10, 2));
        var fired = 0;
        store.Meta.CommitFaults = phase =>
        {
            if (phase == CommitPhase.BeforeCommit && Interlocked.Exchange(ref fired, 1) == 0) throw new IOException("the disk refused the commit");
        };
        var failure = await Assert.ThrowsAsync<DeferredCommitFailedException>(() => store.FlushAsync());
        Assert.IsType<IOException>(failure.InnerException);
        Assert.Contains("refused", failure.Message, StringComparison.Ordinal);

        // What this process holds may rest on the lost writes: every change and flush is refused,
        // reads go on and see the last committed state.
        await Assert.ThrowsAsync<DeferredCommitFailedException>(() => ws.WriteAllBytesAsync("/later", TestData.Bytes(10, 3)));
        Assert.Throws<DeferredCommitFailedException>(() => ws.CreateDirectory("/d"));
        Assert.Throws<DeferredCommitFailedException>(() => store.Flush());
        Assert.Throws<DeferredCommitFailedException>(() => store.CollectGarbage());
        Assert.Equal(["/kept"], store.OpenWorkspace("/w").List("/").Select(n => n.Path));
        store.Dispose();

        using var reopened = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory, ChunkSize = TempStore.SmallChunk, Durability = Durability.Deferred });
        Assert.Equal(["/kept"], Files(reopened, "/w").Keys);
        await reopened.OpenWorkspace("/w").WriteAllBytesAsync("/after", TestData.Bytes(10, 4));
        reopened.Flush();
        Assert.True(reopened.Verify().IsHealthy);
    }

    [Fact]
    public async Task A_file_written_to_blocks_is_whole_in_a_crash_image()
    {
        var directory = NewDirectory();
        using var store = OpenDeferred(directory, TimeSpan.FromMinutes(1));
        var ws = store.CreateWorkspace("/w");
        var big = TestData.Bytes(5 * TempStore.SmallChunk + 123, 7);
        await ws.WriteAllBytesAsync("/big", big);
        store.Flush();
        using var image = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = CrashImage(directory), ChunkSize = TempStore.SmallChunk });
        Assert.Equal(big, Files(image, "/w")["/big"]);
        Assert.True(image.Verify().IsHealthy);
    }

    [Fact]
    public async Task Gc_never_deletes_the_blocks_of_a_version_whose_replacement_is_not_yet_durable()
    {
        var directory = NewDirectory();
        using var store = OpenDeferred(directory, TimeSpan.FromMinutes(1));
        var ws = store.CreateWorkspace("/w");
        var first = TestData.Bytes(3 * TempStore.SmallChunk, 1);
        await ws.WriteAllBytesAsync("/f", first);
        store.Flush();
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(3 * TempStore.SmallChunk, 2)); // the first version dies in the open batch
        var report = store.CollectGarbage();
        Assert.True(report.BlocksDeleted > 0);

        // A crash now must find either version whole: the death GC acted on was made durable first.
        using var image = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = CrashImage(directory), ChunkSize = TempStore.SmallChunk });
        Assert.Equal(TestData.Bytes(3 * TempStore.SmallChunk, 2), Files(image, "/w")["/f"]);
        Assert.True(image.Verify().IsHealthy);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(61_000)]
    public void A_flush_interval_out_of_range_is_refused(int milliseconds)
    {
        var options = new WorkspaceStoreOptions { Directory = NewDirectory(), Durability = Durability.Deferred, FlushInterval = TimeSpan.FromMilliseconds(milliseconds) };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => WorkspaceStore.Open(options));
        Assert.Contains(nameof(WorkspaceStoreOptions.FlushInterval), e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(options.Directory));
    }

    [Fact]
    public void An_undefined_durability_is_refused()
    {
        var options = new WorkspaceStoreOptions { Directory = NewDirectory(), Durability = (Durability)7 };
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkspaceStore.Open(options));
    }

    /// <summary>
    /// Random operations with flushes at random points: the live store always shows every
    /// operation (published at once), and a crash image taken at the end shows exactly the state
    /// at the last flush (nothing commits between flushes with a long interval and inline files).
    /// </summary>
    [Fact]
    public void A_crash_image_shows_exactly_the_last_flushed_state()
    {
        var ops = Gen.Choose(0, 9).SelectMany(kind => Gen.Choose(0, 5).SelectMany(file => Gen.Choose(1, 4000).Select(size => (Kind: kind, File: file, Size: size)))).ArrayOf();
        Prop.ForAll(ops.ToArbitrary(), sequence =>
        {
            var directory = NewDirectory();
            using var store = OpenDeferred(directory, TimeSpan.FromMinutes(1));
            var ws = store.CreateWorkspace("/w");
            store.Flush();
            var model = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var flushed = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var step = 0;
            foreach (var (kind, file, size) in sequence)
            {
                var path = $"/f{file}";
                step++;
                if (kind < 6)
                {
                    var bytes = TestData.Bytes(size, step);
                    ws.WriteAllBytesAsync(path, bytes).GetAwaiter().GetResult();
                    model[path] = bytes;
                }
                else if (kind < 8)
                {
                    if (model.Remove(path)) ws.Delete(path);
                }
                else
                {
                    store.Flush();
                    flushed = new Dictionary<string, byte[]>(model, StringComparer.Ordinal);
                }
            }
            Same(model, Files(store, "/w"), "live store");
            using var image = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = CrashImage(directory), ChunkSize = TempStore.SmallChunk });
            Same(flushed, Files(image, "/w"), "crash image");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(40));
    }

    private static void Same(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual, string what)
    {
        if (expected.Count != actual.Count || expected.Any(kv => !actual.TryGetValue(kv.Key, out var bytes) || !bytes.AsSpan().SequenceEqual(kv.Value)))
            throw new InvalidOperationException($"{what}: expected [{string.Join(",", expected.Keys.Order(StringComparer.Ordinal))}], got [{string.Join(",", actual.Keys.Order(StringComparer.Ordinal))}]");
    }
}
