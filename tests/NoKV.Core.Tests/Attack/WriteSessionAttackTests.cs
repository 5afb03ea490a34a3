using System.Runtime.CompilerServices;
using NoKV.Tests.Model;

namespace NoKV.Tests;

/// <summary>
/// Attacks on write sessions: tokens, leases of edit sessions against GC, sessions that outlive
/// their parent directory or their store, and the "exactly the reachable blocks" rule after each.
/// </summary>
public sealed class WriteSessionAttackTests
{
    /// <summary>
    /// A WriteAsync that returned successfully hands its chunk's upload the caller's token; if the
    /// caller cancels that token afterwards (a request-timeout token, the ordinary case), the
    /// still-running upload is cancelled, the session is poisoned, and Dispose throws
    /// OperationCanceledException and publishes nothing — although no call the caller made was
    /// cancelled while running. Cause: WorkspaceWriteStream.UploadChunkAsync passes the write's
    /// token to a background upload that outlives the write.
    /// Failed with: "System.Threading.Tasks.TaskCanceledException : A task was canceled." thrown by
    /// DisposeAsync (from UploadAsync via CloseAsync).
    /// </summary>
    [Fact]
    public async Task Cancelling_a_token_after_its_write_returned_does_not_lose_the_write()
    {
        using var temp = new TempStore(blocks: dir => new SlowBlockStore(new LocalBlockStore(Path.Combine(dir, "blocks"))));
        var ws = temp.Store.CreateWorkspace("/w");
        var data = TestData.Bytes(2 * TempStore.SmallChunk + 10, 1);

        var stream = ws.OpenWrite("/f");
        using (var cts = new CancellationTokenSource())
        {
            await stream.WriteAsync(data, cts.Token); // returns with uploads still in flight
            cts.Cancel();
        }
        await stream.DisposeAsync();

        Assert.Equal(data, await ws.ReadAllBytesAsync("/f"));
    }

    [Fact]
    public async Task An_append_session_outliving_its_files_deletion_and_a_gc_publishes_a_whole_file()
    {
        using var temp = new TempStore();
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        var old = TestData.Bytes(3 * TempStore.SmallChunk + 100, 1);
        await ws.WriteAllBytesAsync("/f", old);

        var append = await ws.OpenAppendAsync("/f");
        ws.Delete("/f");
        await store.CollectGarbageAsync(GcMode.Full); // the old version is leased: its blocks stay
        var tail = TestData.Bytes(TempStore.SmallChunk, 2);
        await append.WriteAsync(tail);
        await store.CollectGarbageAsync(GcMode.Full);
        await append.DisposeAsync();

        Assert.Equal(old.Concat(tail).ToArray(), await ws.ReadAllBytesAsync("/f"));
        await store.CollectGarbageAsync(GcMode.Full);
        Assert.Equal(old.Concat(tail).ToArray(), await ws.ReadAllBytesAsync("/f"));
        Assert.Equal(ReachableBlocks.Of(store), temp.BlockKeys());
        Assert.True(store.Verify().IsHealthy, string.Join("; ", store.Verify().Problems));
        store = temp.Reopen();
        Assert.Equal(old.Concat(tail).ToArray(), await store.OpenWorkspace("/w").ReadAllBytesAsync("/f"));
    }

    [Fact]
    public async Task An_append_session_never_disposed_stops_holding_the_version_it_borrows_from()
    {
        using var temp = new TempStore();
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(3 * TempStore.SmallChunk + 100, 1));
        await OpenAppendWriteAndDrop(ws);
        var newer = TestData.Bytes(10, 2);
        await ws.WriteAllBytesAsync("/f", newer);

        for (var round = 0; round < 50; round++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            await store.CollectGarbageAsync(GcMode.Full);
            if (temp.BlockKeys().SequenceEqual(ReachableBlocks.Of(store))) break;
            await Task.Delay(50);
        }

        Assert.Equal(ReachableBlocks.Of(store), temp.BlockKeys());
        Assert.Equal(newer, await ws.ReadAllBytesAsync("/f"));
        Assert.True(store.Verify().IsHealthy);
    }

    [Fact]
    public async Task A_session_whose_parent_directory_was_deleted_fails_typed_and_leaves_nothing()
    {
        using var temp = new TempStore();
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        ws.CreateDirectory("/d");
        var stream = ws.OpenWrite("/d/f");
        await stream.WriteAsync(TestData.Bytes(3 * TempStore.SmallChunk + 7, 1));
        ws.Delete("/d");

        await Assert.ThrowsAsync<PathNotFoundException>(async () => await stream.DisposeAsync());

        Assert.False(ws.Exists("/d"));
        Assert.Empty(temp.BlockKeys());
        await store.CollectGarbageAsync(GcMode.Full);
        Assert.Empty(temp.BlockKeys());
        Assert.True(store.Verify().IsHealthy);
    }

    [Fact]
    public async Task A_session_whose_parent_became_a_file_fails_typed_and_leaves_nothing()
    {
        using var temp = new TempStore();
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        ws.CreateDirectory("/d");
        var stream = ws.OpenWrite("/d/f");
        await stream.WriteAsync(TestData.Bytes(TempStore.SmallChunk + 7, 1));
        ws.Delete("/d");
        await ws.WriteAllBytesAsync("/d", TestData.Bytes(5, 2));

        var e = await Assert.ThrowsAnyAsync<NoKVException>(async () => await stream.DisposeAsync());
        Assert.IsType<NotADirectoryException>(e);

        Assert.Equal(ReachableBlocks.Of(store), temp.BlockKeys());
        Assert.True(store.Verify().IsHealthy);
    }

    [Fact]
    public async Task A_session_disposed_after_its_store_was_disposed_publishes_nothing_and_a_reopened_store_reclaims_it()
    {
        using var temp = new TempStore();
        var ws = temp.Store.CreateWorkspace("/w");
        var old = TestData.Bytes(100, 9);
        await ws.WriteAllBytesAsync("/f", old);
        var stream = ws.OpenWrite("/f");
        await stream.WriteAsync(TestData.Bytes(3 * TempStore.SmallChunk + 7, 1));
        temp.Store.Dispose();

        var thrown = await Record.ExceptionAsync(async () => await stream.DisposeAsync());
        Assert.NotNull(thrown);

        var store = temp.Reopen();
        Assert.Equal(old, await store.OpenWorkspace("/w").ReadAllBytesAsync("/f"));
        await store.CollectGarbageAsync(GcMode.Full);
        Assert.Equal(ReachableBlocks.Of(store), temp.BlockKeys());
        Assert.True(store.Verify().IsHealthy);
    }

    [Fact]
    public async Task Writes_after_poisoning_abort_and_double_dispose_in_every_order_stay_consistent()
    {
        using var temp = new TempStore(blocks: dir => new FaultyBlockStore(new LocalBlockStore(Path.Combine(dir, "blocks")), k => new IOException("disk full " + k)));
        var faulty = (FaultyBlockStore)temp.BlockStore!;
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        var old = TestData.Bytes(50, 3);
        await ws.WriteAllBytesAsync("/f", old);

        faulty.PutsBeforeFailing = 1;
        var stream = ws.OpenWrite("/f");
        var first = await Record.ExceptionAsync(async () =>
        {
            for (var i = 0; i < 10; i++) await stream.WriteAsync(TestData.Bytes(TempStore.SmallChunk, i));
        });
        Assert.NotNull(first);
        Assert.Throws<WriteFailedException>(() => stream.Write(new byte[10]));
        await Assert.ThrowsAsync<WriteFailedException>(async () => await stream.DisposeAsync());
        stream.Dispose(); // twice: nothing
        stream.Abort(); // after close: nothing
        faulty.PutsBeforeFailing = int.MaxValue;

        Assert.Equal(old, await ws.ReadAllBytesAsync("/f"));
        await store.CollectGarbageAsync(GcMode.Full);
        Assert.Equal(ReachableBlocks.Of(store), temp.BlockKeys());
        Assert.True(store.Verify().IsHealthy);
    }

    [Fact]
    public async Task Sync_writes_and_sync_dispose_over_a_slow_async_block_store_publish_the_whole_file()
    {
        using var temp = new TempStore(blocks: dir => new SlowBlockStore(new LocalBlockStore(Path.Combine(dir, "blocks"))));
        var ws = temp.Store.CreateWorkspace("/w");
        var data = TestData.Bytes(9 * TempStore.SmallChunk + 3, 4);
        using (var stream = ws.OpenWrite("/f"))
        {
            for (var i = 0; i < data.Length; i += 1000) stream.Write(data, i, Math.Min(1000, data.Length - i));
            stream.Flush();
        }
        Assert.Equal(data, await ws.ReadAllBytesAsync("/f"));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task OpenAppendWriteAndDrop(Workspace ws)
    {
        var append = await ws.OpenAppendAsync("/f");
        await append.WriteAsync(TestData.Bytes(2 * TempStore.SmallChunk, 7));
    }

    /// <summary>An asynchronous block store (as S3 is): each PUT takes a while and honours its token.</summary>
    internal sealed class SlowBlockStore(IBlockStore inner) : DecoratedBlockStore(inner)
    {
        public override async ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            await Task.Delay(30, cancellationToken);
            await Inner.PutAsync(key, data, cancellationToken);
        }
    }
}
