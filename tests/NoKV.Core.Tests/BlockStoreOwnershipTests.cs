using Microsoft.Extensions.DependencyInjection;

namespace NoKV.Tests;

/// <summary>
/// Which block store a <see cref="WorkspaceStore"/> disposes: the default local one it created and
/// one AddNoKV built for it (asynchronously on DisposeAsync), never one the caller passed in.
/// </summary>
public sealed class BlockStoreOwnershipTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nokv-ownership-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    [Fact]
    public async Task DisposeAsync_disposes_a_block_store_AddNoKV_built_asynchronously()
    {
        var blocks = new DisposalRecordingStore(new LocalBlockStore(Path.Combine(_dir, "blocks")));
        var services = new ServiceCollection().AddNoKV(o => o.UseDirectory(_dir).UseBlockStore(_ => blocks));
        await using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<WorkspaceStore>();
        }
        Assert.Equal(1, blocks.AsyncDisposals);
    }

    [Fact]
    public async Task The_default_local_store_is_closed_with_the_store()
    {
        var store = WorkspaceStore.Open(_dir);
        var blocks = store.Blocks;
        await store.DisposeAsync();
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await blocks.ExistsAsync("1/2/3/0"));

        var again = WorkspaceStore.Open(_dir);
        var reopened = again.Blocks;
        again.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await reopened.ExistsAsync("1/2/3/0"));
    }

    [Fact]
    public async Task A_block_store_the_caller_passed_in_stays_open()
    {
        await using var blocks = new DisposalRecordingStore(new LocalBlockStore(Path.Combine(_dir, "blocks")));
        await using (var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = _dir, BlockStore = blocks, InlineThreshold = 0 /* small files in blocks: the test counts them */ }))
        {
            await store.CreateWorkspace("/w").WriteAllBytesAsync("/f", TestData.Bytes(10, 1));
        }
        Assert.Equal(0, blocks.AsyncDisposals);
        Assert.NotEmpty(await ToListAsync(blocks.ListAsync("")));
    }

    private static async Task<List<BlockInfo>> ToListAsync(IAsyncEnumerable<BlockInfo> blocks)
    {
        var list = new List<BlockInfo>();
        await foreach (var block in blocks) list.Add(block);
        return list;
    }

    /// <summary>
    /// Counts async disposals and keeps the inner store open, so the test can look at it afterwards.
    /// Has no synchronous Dispose, so a sync-only close would not be counted.
    /// </summary>
    private sealed class DisposalRecordingStore(IBlockStore inner) : IBlockStore
    {
        private int _asyncDisposals;

        public int AsyncDisposals => Volatile.Read(ref _asyncDisposals);

        public ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => inner.PutAsync(key, data, cancellationToken);
        public ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default) => inner.ReadAsync(key, offset, destination, cancellationToken);
        public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);
        public IAsyncEnumerable<BlockInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref _asyncDisposals);
            return ValueTask.CompletedTask;
        }
    }
}
