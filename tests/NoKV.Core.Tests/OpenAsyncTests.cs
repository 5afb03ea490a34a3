namespace NoKV.Tests;

/// <summary>
/// <see cref="WorkspaceStore.OpenAsync"/> asks a block store the caller passed in (as S3 is)
/// whether it already holds NoKV blocks by awaiting it, not by blocking a thread, and refuses to
/// start a new store over them exactly as <see cref="WorkspaceStore.Open(WorkspaceStoreOptions)"/> does.
/// </summary>
public sealed class OpenAsyncTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>A block store whose listing completes only after a real asynchronous wait, and that counts listings.</summary>
    private sealed class AsyncListingStore(IBlockStore inner) : DecoratedBlockStore(inner)
    {
        public int Listings;

        public override async IAsyncEnumerable<BlockInfo> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Listings);
            await Task.Delay(10, cancellationToken);
            await foreach (var block in Inner.ListAsync(prefix, cancellationToken)) yield return block;
        }
    }

    private WorkspaceStoreOptions Options(string name, IBlockStore blocks) =>
        new() { Directory = Path.Combine(_root, name), ChunkSize = TempStore.SmallChunk, BlockStore = blocks };

    [Fact]
    public async Task A_new_store_opens_and_a_lost_directory_over_existing_blocks_is_refused()
    {
        var external = new AsyncListingStore(new LocalBlockStore(Path.Combine(_root, "external")));
        var options = Options("first", external);
        await using (var store = await WorkspaceStore.OpenAsync(options))
        {
            var ws = store.CreateWorkspace("/w");
            await ws.WriteAllBytesAsync("/f", TestData.Bytes(10_000, 1));
        }
        Assert.Equal(1, external.Listings); // asked once, when there was no identity file yet

        await using (var reopened = await WorkspaceStore.OpenAsync(options))
            Assert.Equal(TestData.Bytes(10_000, 1), await reopened.OpenWorkspace("/w").ReadAllBytesAsync("/f"));
        Assert.Equal(1, external.Listings); // the identity file answers; the block store is not asked

        var lost = Options("lost", external);
        var e = await Assert.ThrowsAsync<StoreCorruptedException>(() => WorkspaceStore.OpenAsync(lost));
        Assert.Contains("already holds NoKV blocks", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(lost.Directory!, "meta")));
    }

    [Fact]
    public async Task A_cancelled_open_throws_before_creating_anything()
    {
        var options = Options("cancelled", new AsyncListingStore(new LocalBlockStore(Path.Combine(_root, "blocks"))));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => WorkspaceStore.OpenAsync(options, cancelled.Token));
        Assert.False(Directory.Exists(Path.Combine(options.Directory!, "meta")));
    }
}
