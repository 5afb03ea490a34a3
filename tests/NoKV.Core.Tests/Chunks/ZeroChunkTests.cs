using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Tests.Model;

namespace NoKV.Tests.Chunks;

/// <summary>Holes: a file grown past its end, or written with whole chunks of zeros, stores those chunks nowhere.</summary>
public sealed class ZeroChunkTests : IDisposable
{
    private const int Chunk = 64 * 1024;
    private readonly TempStore _temp = new(Chunk, inlineThreshold: 0);
    private WorkspaceStore Store => _temp.Store;

    public void Dispose() => _temp.Dispose();

    private ChunkRecord[] ChunksOf(Workspace ws, string path) => Store.Read(txn =>
    {
        var gen = ws.Stat(path).Generation;
        return GenerationTable.Layout(txn, gen, GenerationTable.Get(txn, gen));
    });

    [Fact]
    public async Task Truncate_far_past_the_end_writes_holes_not_blocks()
    {
        var ws = Store.CreateWorkspace("/w");
        await ws.Write("/f", "abc");
        const long length = 1000L * Chunk + 123; // 62.5 MiB of zeros

        await ws.TruncateAsync("/f", length);

        Assert.Equal(length, ws.Stat("/f").Length);
        var chunks = ChunksOf(ws, "/f");
        Assert.Equal(999, chunks.Count(c => c.Storage == ChunkStorage.Zeros)); // all but the first and the partial last
        Assert.Equal(2, chunks.Count(c => c.HasBlock)); // "abc" and zeros, and the partial last chunk
        using var stream = ws.OpenRead("/f");
        var head = new byte[4];
        Assert.Equal(4, stream.Read(head));
        Assert.Equal("abc\0"u8.ToArray(), head);
        stream.Position = 500L * Chunk + 7;
        var middle = new byte[2 * Chunk];
        stream.ReadExactly(middle);
        Assert.DoesNotContain(middle, b => b != 0);
        Assert.True(Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task A_write_in_a_hole_stores_only_the_chunk_it_touches()
    {
        var ws = Store.CreateWorkspace("/w");
        await ws.Write("/f", "x");
        var ino = ws.Stat("/f").Inode;
        await Store.Content.WriteAt(ws.Ref, ino, 100L * Chunk + 5, TestData.Bytes(10, 1), CancellationToken.None);

        var chunks = ChunksOf(ws, "/f");
        Assert.Equal(101, chunks.Length);
        Assert.Equal(99, chunks.Count(c => c.Storage == ChunkStorage.Zeros));
        var expected = new byte[100 * Chunk + 15];
        expected[0] = (byte)'x';
        TestData.Bytes(10, 1).CopyTo(expected, 100 * Chunk + 5);
        Assert.Equal(expected, await ws.ReadAllBytesAsync("/f"));

        // A write into the hole's middle turns one zero chunk into a block; the rest stay holes.
        await Store.Content.WriteAt(ws.Ref, ino, 50L * Chunk, TestData.Bytes(3, 2), CancellationToken.None);
        Assert.Equal(98, ChunksOf(ws, "/f").Count(c => c.Storage == ChunkStorage.Zeros));
        TestData.Bytes(3, 2).CopyTo(expected, 50 * Chunk);
        Assert.Equal(expected, await ws.ReadAllBytesAsync("/f"));
        Assert.True(Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task Whole_chunks_of_written_zeros_become_holes()
    {
        var ws = Store.CreateWorkspace("/w");
        byte[] data = [.. new byte[3 * Chunk], .. TestData.Bytes(Chunk, 1), .. new byte[Chunk / 2]];
        await ws.WriteAllBytesAsync("/f", data);

        Assert.Equal([ChunkStorage.Zeros, ChunkStorage.Zeros, ChunkStorage.Zeros, ChunkStorage.Block, ChunkStorage.Block], ChunksOf(ws, "/f").Select(c => c.Storage));
        Assert.Equal(2, _temp.BlockKeys().Count);
        Assert.Equal(data, await ws.ReadAllBytesAsync("/f"));
        var copy = new MemoryStream();
        await using (var read = ws.OpenRead("/f")) await read.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task Holes_survive_clone_snapshot_rollback_gc_and_reopen()
    {
        var ws = Store.CreateWorkspace("/w");
        await ws.Write("/f", "abc");
        await ws.TruncateAsync("/f", 10L * Chunk);
        var snap = ws.Snapshot();
        var fork = Store.Clone("/w", "/fork").Workspace;
        await fork.TruncateAsync("/f", 20L * Chunk);
        await ws.Write("/f", "gone");
        Store.CollectGarbage(GcMode.Full);

        Assert.Equal(10L * Chunk, snap.Stat("/f").Length);
        Assert.Equal(20L * Chunk, fork.Stat("/f").Length);
        ws.Rollback(snap);
        var reopened = _temp.Reopen().OpenWorkspace("/w");
        var bytes = await reopened.ReadAllBytesAsync("/f");
        Assert.Equal("abc"u8.ToArray(), bytes[..3]);
        Assert.DoesNotContain(bytes[3..], b => b != 0);
        Assert.True(_temp.Store.Verify().IsHealthy);
        _temp.Store.CollectGarbage(GcMode.Full); // the rolled-back "gone" version goes now
        Assert.Equal(ReachableBlocks.Of(_temp.Store), _temp.BlockKeys());
    }

    [Fact]
    public async Task A_file_cannot_grow_past_the_largest_file_size_and_keeps_its_version()
    {
        using var temp = new TempStore(Chunk);
        var max = temp.Store.MaxFileSize;
        Assert.Equal((long)Chunk * WorkspaceStoreOptions.MaxFileChunks, max); // 64 GiB: the chunk count binds before 1 TiB
        var ws = temp.Store.CreateWorkspace("/w");
        await ws.Write("/f", "abc");
        var ino = ws.Stat("/f").Inode;

        var truncate = await Assert.ThrowsAsync<FileTooLargeException>(() => ws.TruncateAsync("/f", max + 1));
        Assert.Equal(NoKVErrorKind.TooLarge, truncate.ErrorKind);
        await Assert.ThrowsAsync<FileTooLargeException>(() => temp.Store.Content.WriteAt(ws.Ref, ino, max, new byte[1], CancellationToken.None));
        await Assert.ThrowsAsync<FileTooLargeException>(() => temp.Store.Content.Truncate(ws.Ref, ino, long.MaxValue, CancellationToken.None));
        Assert.Equal("abc", await ws.ReadText("/f"));
    }

    [Fact]
    public async Task A_stream_that_writes_past_the_largest_file_size_publishes_nothing()
    {
        var dir = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = dir, ChunkSize = 4096, MaxFileSize = 10_000 });
            var ws = store.CreateWorkspace("/w");
            await ws.Write("/f", "old");
            var stream = ws.OpenWrite("/f");
            await stream.WriteAsync(new byte[9_000]);
            await Assert.ThrowsAsync<FileTooLargeException>(async () => await stream.WriteAsync(new byte[2_000]));
            await Assert.ThrowsAsync<WriteFailedException>(async () => await stream.DisposeAsync());
            Assert.Equal("old", await ws.ReadText("/f"));
            await ws.WriteAllBytesAsync("/g", new byte[10_000]); // exactly the limit is fine
            Assert.Equal(10_000, ws.Stat("/g").Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
