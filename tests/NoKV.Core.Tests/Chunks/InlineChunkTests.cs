using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Tests.Chunks;

/// <summary>Small files, and the small last chunk of larger ones, live in the metadata: no block, no block fsync.</summary>
public sealed class InlineChunkTests : IDisposable
{
    private const int Chunk = 64 * 1024;
    private const int Threshold = 16 * 1024;
    private readonly TempStore _temp = new(Chunk, inlineThreshold: Threshold);
    private WorkspaceStore Store => _temp.Store;

    public void Dispose() => _temp.Dispose();

    private ChunkRecord[] ChunksOf(Workspace ws, string path) => Store.Read(txn =>
    {
        var gen = ws.Stat(path).Generation;
        return GenerationTable.Layout(txn, gen, GenerationTable.Get(txn, gen));
    });

    [Theory]
    [InlineData(1)]
    [InlineData(2048)]
    [InlineData(Threshold)]
    public async Task A_file_up_to_the_threshold_has_no_block_and_reads_back_after_a_reopen(int length)
    {
        var ws = Store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(length, length));

        Assert.Empty(_temp.BlockKeys());
        Assert.Equal(ChunkStorage.Inline, Assert.Single(ChunksOf(ws, "/f")).Storage);
        Assert.Equal(TestData.Bytes(length, length), await ws.ReadAllBytesAsync("/f"));
        Assert.Equal(TestData.Bytes(length, length), await _temp.Reopen().OpenWorkspace("/w").ReadAllBytesAsync("/f"));
        Assert.True(Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task A_file_one_byte_over_the_threshold_is_a_block()
    {
        var ws = Store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(Threshold + 1, 1));
        Assert.Single(_temp.BlockKeys());
        Assert.Equal(ChunkStorage.Block, Assert.Single(ChunksOf(ws, "/f")).Storage);
    }

    [Fact]
    public async Task A_large_file_keeps_whole_chunks_in_blocks_and_its_small_tail_inline()
    {
        var ws = Store.CreateWorkspace("/w");
        var data = TestData.Bytes(3 * Chunk + 100, 7);
        await ws.WriteAllBytesAsync("/f", data);

        Assert.Equal([ChunkStorage.Block, ChunkStorage.Block, ChunkStorage.Block, ChunkStorage.Inline], ChunksOf(ws, "/f").Select(c => c.Storage));
        Assert.Equal(3, _temp.BlockKeys().Count);
        Assert.Equal(data, await ws.ReadAllBytesAsync("/f"));
        using var stream = ws.OpenRead("/f");
        stream.Position = 3 * Chunk + 50;
        var tail = new byte[100];
        Assert.Equal(50, stream.Read(tail));
        Assert.Equal(data[(3 * Chunk + 50)..], tail[..50]);
    }

    [Fact]
    public async Task Clones_share_inline_versions_and_appends_and_edits_keep_every_byte()
    {
        var ws = Store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(1000, 1));
        var fork = Store.Clone("/w", "/fork").Workspace;
        Assert.Equal(ws.Stat("/f").Generation, fork.Stat("/f").Generation); // shared, not copied

        await using (var append = await fork.OpenAppendAsync("/f")) await append.WriteAsync(TestData.Bytes(Chunk, 2));
        byte[] expected = [.. TestData.Bytes(1000, 1), .. TestData.Bytes(Chunk, 2)];
        Assert.Equal(expected, await fork.ReadAllBytesAsync("/f"));
        Assert.Equal(TestData.Bytes(1000, 1), await ws.ReadAllBytesAsync("/f"));

        await Store.Content.WriteAt(fork.Ref, fork.Stat("/f").Inode, 10, TestData.Bytes(5, 3), CancellationToken.None);
        TestData.Bytes(5, 3).CopyTo(expected, 10);
        Assert.Equal(expected, await fork.ReadAllBytesAsync("/f"));
        await fork.TruncateAsync("/f", 500);
        Assert.Equal(expected[..500], await fork.ReadAllBytesAsync("/f"));
        Assert.Equal(ChunkStorage.Inline, Assert.Single(ChunksOf(fork, "/f")).Storage);
        Assert.True(Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task Gc_of_inline_versions_deletes_nothing_from_the_block_store_and_leaks_nothing()
    {
        var ws = Store.CreateWorkspace("/w");
        for (var i = 0; i < 20; i++) await ws.WriteAllBytesAsync($"/f{i}", TestData.Bytes(100 + i, i));
        await ws.WriteAllBytesAsync("/big", TestData.Bytes(Chunk + 10, 99));
        for (var i = 0; i < 20; i++) ws.Delete($"/f{i}");
        ws.Delete("/big");

        var report = Store.CollectGarbage(GcMode.Full);

        Assert.Equal(21, report.GenerationsCollected);
        Assert.Equal(1, report.BlocksDeleted);
        Assert.Empty(_temp.BlockKeys());
        Assert.True(Store.Verify().IsHealthy);
        Assert.Equal(0, Store.Read(txn => txn.Scan(Db.Chunks, []).Count()));
    }

    [Fact]
    public async Task A_damaged_inline_chunk_is_caught_on_read_and_by_verify()
    {
        var ws = Store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(100, 1));
        var gen = ws.Stat("/f").Generation;
        Store.Meta.Write(txn =>
        {
            var chunk = ChunkRecord.Decode(txn.Get(Db.Chunks, Keys.Chunk(gen, 0))!);
            var damaged = chunk.Data.ToArray();
            damaged[50] ^= 0xFF;
            txn.Put(Db.Chunks, Keys.Chunk(gen, 0), (chunk with { Data = damaged }).Encode());
        });

        await Assert.ThrowsAsync<BlockCorruptedException>(() => ws.ReadAllBytesAsync("/f"));
        var problem = Assert.Single(Store.Verify().Problems);
        Assert.Equal(StoreProblemKind.BlockCorrupted, problem.Kind);
    }

    [Fact]
    public async Task A_threshold_of_zero_keeps_every_byte_in_blocks()
    {
        using var temp = new TempStore(Chunk, inlineThreshold: 0);
        await temp.Store.CreateWorkspace("/w").WriteAllBytesAsync("/f", TestData.Bytes(10, 1));
        Assert.Single(temp.BlockKeys());
    }
}
