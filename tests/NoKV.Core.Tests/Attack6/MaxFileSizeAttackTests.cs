using NoKV.Layers;

namespace NoKV.Tests;

/// <summary>
/// Attack (issue 15): <see cref="WorkspaceStoreOptions.MaxFileSize"/> at its exact edges, through
/// every way a file grows (a write stream, an append, a write at an offset, truncate), and across
/// a chunk size change, where a file keeps a smaller chunk size than the store's.
/// </summary>
public sealed class MaxFileSizeAttackTests
{
    private const int Chunk = 4096;
    private const long Max = 3 * Chunk + 10;

    private static WorkspaceStore OpenLimited(string dir, long maxFileSize = Max, int chunk = Chunk, int inline = 0) =>
        WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = dir, ChunkSize = chunk, InlineThreshold = inline, MaxFileSize = maxFileSize, OrphanGracePeriod = TimeSpan.Zero });

    private static string NewDir() => Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));

    private static void Delete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16 * 1024)]
    public async Task Every_way_of_growing_a_file_stops_exactly_at_the_largest_size(int inline)
    {
        var dir = NewDir();
        try
        {
            using var store = OpenLimited(dir, inline: inline);
            var ws = store.CreateWorkspace("/w");

            // Exactly the largest size: allowed, every way.
            var full = TestData.Bytes((int)Max, 1);
            await ws.WriteAllBytesAsync("/stream", full);
            Assert.Equal(full, await ws.ReadAllBytesAsync("/stream"));
            await ws.Write("/grown", "x");
            await ws.TruncateAsync("/grown", Max);
            Assert.Equal(Max, ws.Stat("/grown").Length);
            await ws.Write("/at", "y");
            await store.Content.WriteAt(ws.Ref, ws.Stat("/at").Inode, Max - 1, new byte[] { 9 }, CancellationToken.None);
            Assert.Equal(Max, ws.Stat("/at").Length);
            await ws.WriteAllBytesAsync("/app", full.AsMemory(0, full.Length - 1));
            await using (var a = await ws.OpenAppendAsync("/app")) await a.WriteAsync(full.AsMemory(^1..));
            Assert.Equal(full, await ws.ReadAllBytesAsync("/app"));

            // One byte more: FileTooLargeException (kind TooLarge), and the file keeps its version.
            var before = ws.Stat("/app").Generation;
            // The write itself says TooLarge; Dispose then reports the poisoned session (documented stream behaviour).
            FileTooLargeException? tooLong = null;
            var disposed = await Assert.ThrowsAsync<WriteFailedException>(async () =>
            {
                await using var a = await ws.OpenAppendAsync("/app");
                tooLong = await Assert.ThrowsAsync<FileTooLargeException>(() => a.WriteAsync(new byte[] { 1 }).AsTask());
            });
            Assert.Equal(NoKVErrorKind.TooLarge, tooLong!.ErrorKind);
            Assert.IsType<FileTooLargeException>(disposed.InnerException);
            Assert.Equal(before, ws.Stat("/app").Generation);
            await Assert.ThrowsAsync<FileTooLargeException>(() => ws.WriteAllBytesAsync("/stream", new byte[Max + 1]));
            Assert.Equal(full, await ws.ReadAllBytesAsync("/stream"));
            await Assert.ThrowsAsync<FileTooLargeException>(() => ws.TruncateAsync("/grown", Max + 1));
            await Assert.ThrowsAsync<FileTooLargeException>(() => store.Content.Truncate(ws.Ref, ws.Stat("/grown").Inode, Max + 1, CancellationToken.None));
            Assert.Equal(Max, ws.Stat("/grown").Length);
            await Assert.ThrowsAsync<FileTooLargeException>(() => store.Content.WriteAt(ws.Ref, ws.Stat("/at").Inode, Max, new byte[] { 9 }, CancellationToken.None));
            await Assert.ThrowsAsync<FileTooLargeException>(() => store.Content.WriteAt(ws.Ref, ws.Stat("/at").Inode, long.MaxValue - 1, new byte[] { 9 }, CancellationToken.None));
            Assert.Equal(Max, ws.Stat("/at").Length);

            // Nothing a refused write uploaded is left behind.
            await store.CollectGarbageAsync(GcMode.Full);
            var blocks = new List<string>();
            await foreach (var b in store.Blocks.ListAsync("")) blocks.Add(b.Key);
            blocks.Sort(StringComparer.Ordinal);
            Assert.Equal(Model.ReachableBlocks.Of(store), blocks);
            Assert.True(store.Verify().IsHealthy);
        }
        finally
        {
            Delete(dir);
        }
    }

    /// <summary>
    /// A file keeps the chunk size it was written with. The option says a file holds at most
    /// <see cref="WorkspaceStoreOptions.MaxFileChunks"/> chunks, so that growing one costs bounded
    /// metadata; but the limit is computed from the store's current chunk size, so a file of
    /// 4 KiB chunks in a store reopened at 1 MiB chunks may grow to 1 TiB: 2^28 zero-chunk
    /// records built in memory and written in one transaction (here 2^20 + 1 of them).
    /// </summary>
    [Fact]
    public async Task A_file_with_a_smaller_chunk_size_than_the_store_still_holds_at_most_MaxFileChunks_chunks()
    {
        var dir = NewDir();
        try
        {
            using (var store = OpenLimited(dir, maxFileSize: 1L << 40))
            {
                await store.CreateWorkspace("/w").Write("/f", "small chunks");
            }
            using (var store = OpenLimited(dir, maxFileSize: 1L << 40, chunk: 1024 * 1024))
            {
                var ws = store.OpenWorkspace("/w");
                const long tooMany = (long)Chunk * WorkspaceStoreOptions.MaxFileChunks + Chunk; // one chunk past the limit
                var failure = await Record.ExceptionAsync(() => ws.TruncateAsync("/f", tooMany));
                var chunks = store.Read(txn => GenerationTable.Get(txn, ws.Stat("/f").Generation).ChunkCount);
                Assert.True(failure is FileTooLargeException,
                    $"truncate to {tooMany} bytes of a {Chunk}-byte-chunk file gave {failure?.GetType().Name ?? "no exception"}; the file now has {chunks} chunks (limit {WorkspaceStoreOptions.MaxFileChunks})");
            }
        }
        finally
        {
            Delete(dir);
        }
    }
}
