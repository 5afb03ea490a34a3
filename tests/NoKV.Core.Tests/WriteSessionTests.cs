using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// The write session's rules: Dispose commits unless the session was aborted or failed; a
/// failure or cancellation poisons it; a failed or aborted session publishes nothing and leaves
/// no blocks behind.
/// </summary>
public sealed class WriteSessionTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly FaultyBlockStore _disk;
    private readonly WorkspaceStore _store;
    private readonly Workspace _ws;
    private readonly byte[] _old = TestData.Bytes(2 * TempStore.SmallChunk + 7, 1);

    public WriteSessionTests()
    {
        _temp.Store.Dispose();
        _disk = new FaultyBlockStore(new LocalBlockStore(_temp.BlocksDirectory), key => new BlockStoreException($"injected failure for '{key}'", transient: true));
        _store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = _temp.Directory, ChunkSize = TempStore.SmallChunk, BlockStore = _disk, OrphanGracePeriod = TimeSpan.Zero, MaxParallelUploads = 1, InlineThreshold = 0 /* every chunk a block: the tests fail its uploads */ });
        _ws = _store.CreateWorkspace("/w");
        _ws.WriteAllBytesAsync("/f", _old).GetAwaiter().GetResult();
        _disk.ResetSchedule(); // PUT ordinals in the tests count from their own first PUT
    }

    public void Dispose()
    {
        _store.Dispose();
        _temp.Dispose();
    }

    private async Task AssertOldVersionAndNoLeftoverBlocks(List<string> blocksBefore)
    {
        Assert.Equal(_old, await _ws.ReadAllBytesAsync("/f"));
        Assert.Equal(blocksBefore, _temp.BlockFiles().Order(StringComparer.Ordinal).ToList());
        var report = _store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }

    private List<string> Blocks() => _temp.BlockFiles().Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Abort_inside_await_using_publishes_nothing_does_not_throw_and_deletes_the_uploaded_blocks()
    {
        var before = Blocks();
        await using (var s = _ws.OpenWrite("/f"))
        {
            await s.WriteAsync(TestData.Bytes(3 * TempStore.SmallChunk + 1, 2));
            s.Abort();
            Assert.False(s.CanWrite);
            await s.WriteAsync(new byte[1]); // ignored after Abort
        }
        await AssertOldVersionAndNoLeftoverBlocks(before);
    }

    [Fact]
    public async Task An_aborted_session_inside_a_stream_writer_disposes_quietly()
    {
        var before = Blocks();
        var s = _ws.OpenWrite("/f");
        using (var writer = new StreamWriter(s))
        {
            writer.Write(new string('x', 3 * TempStore.SmallChunk));
            s.Abort();
            writer.Write("buffered, flushed by the writer's Dispose, and ignored");
        }
        await AssertOldVersionAndNoLeftoverBlocks(before);
    }

    [Fact]
    public async Task Abort_after_a_failure_makes_dispose_quiet()
    {
        var before = Blocks();
        _disk.PutSchedule = n => n == 0 ? PutFault.FailAfterStoring : PutFault.None;
        var s = _ws.OpenWrite("/f");
        await Assert.ThrowsAsync<BlockStoreException>(async () => await s.WriteAsync(TestData.Bytes(2 * TempStore.SmallChunk, 2)));
        s.Abort();
        s.Dispose();
        await AssertOldVersionAndNoLeftoverBlocks(before);
    }

    [Fact]
    public async Task A_failure_poisons_the_session_and_dispose_throws_it_wrapped()
    {
        var before = Blocks();
        _disk.PutSchedule = n => n == 1 ? PutFault.FailBeforeStoring : PutFault.None;
        var s = _ws.OpenWrite("/f");
        await s.WriteAsync(TestData.Bytes(TempStore.SmallChunk, 2));
        var first = await Assert.ThrowsAsync<BlockStoreException>(async () => await s.WriteAsync(TestData.Bytes(TempStore.SmallChunk, 3)));
        _disk.PutSchedule = null;

        Assert.False(s.CanWrite);
        var later = await Assert.ThrowsAsync<WriteFailedException>(async () => await s.WriteAsync(TestData.Bytes(10, 4)));
        Assert.Same(first, later.InnerException);
        Assert.Throws<WriteFailedException>(() => s.Flush());
        var onDispose = Assert.Throws<WriteFailedException>(s.Dispose);
        Assert.Same(first, onDispose.InnerException);
        Assert.Equal("/f", onDispose.Path);
        Assert.True(onDispose.IsTransient);
        s.Dispose(); // twice is safe
        await AssertOldVersionAndNoLeftoverBlocks(before);
    }

    [Fact]
    public async Task A_failure_that_dispose_hits_itself_is_thrown_as_it_is()
    {
        var before = Blocks();
        _disk.PutSchedule = n => n == 1 ? PutFault.FailBeforeStoring : PutFault.None; // the last, partial chunk
        var s = _ws.OpenWrite("/f");
        await s.WriteAsync(TestData.Bytes(TempStore.SmallChunk + 5, 2));
        var e = await Assert.ThrowsAsync<BlockStoreException>(async () => await s.DisposeAsync());
        Assert.Contains("injected", e.Message, StringComparison.Ordinal);
        await AssertOldVersionAndNoLeftoverBlocks(before);
    }

    [Fact]
    public async Task A_cancelled_write_poisons_the_session()
    {
        var before = Blocks();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var s = _ws.OpenWrite("/f");
        await s.WriteAsync(TestData.Bytes(2 * TempStore.SmallChunk, 2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await s.WriteAsync(TestData.Bytes(100, 3), cancelled.Token));
        await Assert.ThrowsAsync<WriteFailedException>(async () => await s.WriteAsync(TestData.Bytes(100, 4)));
        var e = await Assert.ThrowsAsync<WriteFailedException>(async () => await s.DisposeAsync());
        Assert.IsAssignableFrom<OperationCanceledException>(e.InnerException);
        await AssertOldVersionAndNoLeftoverBlocks(before);
    }

    [Fact]
    public async Task WriteAllBytes_that_fails_throws_the_failure_itself_and_keeps_the_old_version()
    {
        var before = Blocks();
        _disk.PutSchedule = n => n == 0 ? PutFault.FailBeforeStoring : PutFault.None;
        await Assert.ThrowsAsync<BlockStoreException>(() => _ws.WriteAllBytesAsync("/f", TestData.Bytes(3 * TempStore.SmallChunk, 2)));
        _disk.PutSchedule = null;
        await AssertOldVersionAndNoLeftoverBlocks(before);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _ws.WriteAllBytesAsync("/f", TestData.Bytes(3 * TempStore.SmallChunk, 2), cancelled.Token));
        await AssertOldVersionAndNoLeftoverBlocks(before);
    }

    [Fact]
    public async Task An_aborted_append_keeps_the_old_version_and_releases_what_it_borrowed()
    {
        var before = Blocks();
        WorkspaceWriteStream append = await _ws.OpenAppendAsync("/f");
        await using (append)
        {
            await append.WriteAsync(TestData.Bytes(3 * TempStore.SmallChunk, 2));
            append.Abort();
        }
        await AssertOldVersionAndNoLeftoverBlocks(before);

        // The append's lease on the old version is gone: once overwritten, GC reclaims it.
        await _ws.WriteAllBytesAsync("/f", TestData.Bytes(10, 3));
        await _store.CollectGarbageAsync();
        Assert.Single(Blocks());
    }

    [Fact]
    public async Task A_failed_truncate_keeps_the_old_version()
    {
        var before = Blocks();
        _disk.PutSchedule = _ => PutFault.FailBeforeStoring;
        await Assert.ThrowsAsync<BlockStoreException>(() => _ws.TruncateAsync("/f", 5 * TempStore.SmallChunk));
        _disk.PutSchedule = null;
        await AssertOldVersionAndNoLeftoverBlocks(before);
    }

    [Fact]
    public async Task Stream_users_keep_compiling_and_a_disposed_session_refuses_writes()
    {
        Stream s = _ws.OpenWrite("/g");
        await s.WriteAsync(TestData.Bytes(5, 2));
        await s.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => s.Write(new byte[1]));
        Assert.Equal(TestData.Bytes(5, 2), await _ws.ReadAllBytesAsync("/g"));
    }

    [Fact]
    public async Task A_session_whose_workspace_was_replaced_at_the_same_path_publishes_nowhere()
    {
        var other = _store.CreateWorkspace("/other");
        var s = other.OpenWrite("/f");
        await s.WriteAsync(TestData.Bytes(2 * TempStore.SmallChunk + 1, 2));
        _store.DeleteWorkspace("/other");
        var replacement = _store.CreateWorkspace("/other");
        await Assert.ThrowsAsync<WorkspaceNotFoundException>(async () => await s.DisposeAsync());
        Assert.False(replacement.Exists("/f"));
        await _store.CollectGarbageAsync();
        Assert.True(_store.Verify().IsHealthy);
        Assert.Equal(3, Blocks().Count); // only /w/f's blocks
    }

    [Fact]
    public async Task An_import_whose_batch_commit_failed_after_landing_keeps_the_imported_blocks()
    {
        var source = Path.Combine(_temp.Directory, "source");
        Directory.CreateDirectory(source);
        for (var i = 0; i < 3; i++) await File.WriteAllBytesAsync(Path.Combine(source, $"f{i}"), TestData.Bytes(TempStore.SmallChunk + i, 10 + i));

        // Commits: the target directory, one pending record per file, then the batch.
        var commits = 0;
        _store.Meta.CommitFaults = phase =>
        {
            if (phase == CommitPhase.AfterCommit && Interlocked.Increment(ref commits) == 5) throw new IOException("fsync failed after the batch landed");
        };
        var e = await Record.ExceptionAsync(() => _ws.ImportAsync(source, "/imported"));
        _store.Meta.CommitFaults = null;

        Assert.IsType<IOException>(e);
        for (var i = 0; i < 3; i++) Assert.Equal(TestData.Bytes(TempStore.SmallChunk + i, 10 + i), await _ws.ReadAllBytesAsync($"/imported/f{i}"));
        var report = _store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }
}
