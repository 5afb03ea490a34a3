namespace NoKV.Tests;

/// <summary>
/// The local store's extent layout: a generation's chunks lie in one file at their offsets, blocks
/// of a store written one file per block stay readable beside them, a replacement or a torn slot
/// never reads as wrong bytes, a delete frees the slot's disk space and the last one removes the
/// file, and maintenance leaves extent files alone.
/// </summary>
public sealed class LocalBlockStoreExtentTests : IDisposable
{
    private const int Slot = 64 * 1024;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-extents", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    private LocalBlockStore Open(int slotSize = Slot, bool durable = true) =>
        new(_root, new LocalBlockStoreOptions { Durable = durable, ExtentSlotSize = slotSize });

    [Fact]
    public async Task A_generations_chunks_lie_in_one_file_one_after_another()
    {
        await using var store = Open();
        var chunks = Enumerable.Range(0, 3).Select(i => TestData.Bytes(i < 2 ? Slot : 1000, i + 1)).ToArray();
        // Out of order, as pipelined uploads may finish.
        foreach (var i in new[] { 2, 0, 1 }) await store.PutAsync($"1/2/3/{i}", chunks[i]);

        var extent = ExtentTestFiles.PathOf(_root, "1/2/3");
        Assert.Equal([extent], Directory.GetFiles(Path.GetDirectoryName(extent)!));
        var start = ExtentTestFiles.DataOffset(0, Slot);
        Assert.Equal(chunks.SelectMany(c => c).ToArray(), ExtentTestFiles.ReadRaw(extent, start, 2 * Slot + 1000));
        for (var i = 0; i < 3; i++)
        {
            var back = new byte[Slot + 1];
            Assert.Equal(chunks[i].Length, await store.ReadAsync($"1/2/3/{i}", 0, back));
            Assert.Equal(chunks[i], back.AsSpan(0, chunks[i].Length).ToArray());
        }
        Assert.Equal(["1/2/3/0", "1/2/3/1", "1/2/3/2"], (await Keys(store, "")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Blocks_of_a_store_written_one_file_per_block_are_read_listed_replaced_and_deleted()
    {
        await using (var old = Open(slotSize: 0))
        {
            await old.PutAsync("1/2/3/0", TestData.Bytes(100, 1));
            await old.PutAsync("1/2/3/1", TestData.Bytes(100, 2));
        }
        Assert.False(File.Exists(ExtentTestFiles.PathOf(_root, "1/2/3")));

        await using var store = Open();
        Assert.Equal(TestData.Bytes(100, 1), await ReadAll(store, "1/2/3/0"));
        await store.PutAsync("1/2/3/2", TestData.Bytes(100, 3)); // a new chunk goes to a slot
        Assert.True(File.Exists(ExtentTestFiles.PathOf(_root, "1/2/3")));
        await store.PutAsync("1/2/3/1", TestData.Bytes(50, 4)); // replacing an old block file keeps it a file
        Assert.Equal(TestData.Bytes(50, 4), await ReadAll(store, "1/2/3/1"));
        Assert.Equal(TestData.Bytes(100, 3), await ReadAll(store, "1/2/3/2"));

        var listed = await List(store, "1/2/3/");
        Assert.Equal(["1/2/3/0:100", "1/2/3/1:50", "1/2/3/2:100"], listed.Select(b => $"{b.Key}:{b.Length}").Order(StringComparer.Ordinal));

        foreach (var key in new[] { "1/2/3/0", "1/2/3/1", "1/2/3/2" }) Assert.True(await store.DeleteAsync(key));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public async Task Replacing_a_block_in_a_slot_reads_the_new_bytes_and_lists_it_once()
    {
        await using (var store = Open())
        {
            await store.PutAsync("1/2/3/0", TestData.Bytes(1000, 1));
            await store.PutAsync("1/2/3/0", TestData.Bytes(700, 2));
            Assert.Equal(TestData.Bytes(700, 2), await ReadAll(store, "1/2/3/0"));
            await store.PutAsync("1/2/3/0", TestData.Bytes(600, 3));
            Assert.Equal(TestData.Bytes(600, 3), await ReadAll(store, "1/2/3/0"));
        }
        await using var reopened = Open();
        Assert.Equal(TestData.Bytes(600, 3), await ReadAll(reopened, "1/2/3/0"));
        Assert.Equal(["1/2/3/0:600"], (await List(reopened, "")).Select(b => $"{b.Key}:{b.Length}"));
        Assert.True(await reopened.DeleteAsync("1/2/3/0"));
        Assert.False(await reopened.ExistsAsync("1/2/3/0"));
        Assert.False(await reopened.DeleteAsync("1/2/3/0"));
    }

    [Fact]
    public async Task A_delete_frees_the_slots_disk_space_and_the_last_delete_removes_the_file()
    {
        const int big = 1024 * 1024;
        await using var store = Open(slotSize: big);
        await store.PutAsync("7/8/9/0", TestData.Bytes(big, 1));
        await store.PutAsync("7/8/9/1", TestData.Bytes(big, 2));
        var extent = ExtentTestFiles.PathOf(_root, "7/8/9");
        var before = ExtentTestFiles.AllocatedBytes(extent);

        Assert.True(await store.DeleteAsync("7/8/9/0"));
        var after = ExtentTestFiles.AllocatedBytes(extent);
        Assert.True(before - after >= big, $"deleting a 1 MiB slot freed {before - after} bytes ({before} -> {after})");
        Assert.False(await store.ExistsAsync("7/8/9/0"));
        await Assert.ThrowsAsync<BlockMissingException>(async () => await store.ReadAsync("7/8/9/0", 0, new byte[10]));
        Assert.Equal(TestData.Bytes(big, 2), await ReadAll(store, "7/8/9/1"));
        Assert.Equal(["7/8/9/1"], await Keys(store, ""));

        Assert.True(await store.DeleteAsync("7/8/9/1"));
        Assert.False(File.Exists(extent));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_put_a_crash_cut_short_reads_as_missing_and_the_key_can_be_written_again(int kind)
    {
        await using (var store = Open())
        {
            await store.PutAsync("1/2/3/0", TestData.Bytes(Slot, 1));
        }
        ExtentTestFiles.Tear(_root, "1/2/3", slot: 1, Slot, TestData.Bytes(5000, 2), kind, cut: 1234);

        await using var reopened = Open();
        await Assert.ThrowsAsync<BlockMissingException>(async () => await reopened.ReadAsync("1/2/3/1", 0, new byte[6000]));
        await Assert.ThrowsAsync<BlockMissingException>(async () => await reopened.ReadAsync("1/2/3/1", 100, new byte[10]));
        Assert.False(await reopened.ExistsAsync("1/2/3/1"));
        Assert.Equal(TestData.Bytes(Slot, 1), await ReadAll(reopened, "1/2/3/0"));

        await reopened.PutAsync("1/2/3/1", TestData.Bytes(3000, 3));
        Assert.Equal(TestData.Bytes(3000, 3), await ReadAll(reopened, "1/2/3/1"));
        Assert.Equal(["1/2/3/0", "1/2/3/1"], (await Keys(reopened, "")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_slot_whose_bytes_changed_on_disk_reads_as_missing_not_as_wrong_bytes()
    {
        await using (var store = Open())
        {
            await store.PutAsync("1/2/3/0", TestData.Bytes(4000, 1));
        }
        var extent = ExtentTestFiles.PathOf(_root, "1/2/3");
        var offset = ExtentTestFiles.DataOffset(0, Slot) + 3999;
        ExtentTestFiles.WriteRaw(extent, offset, [(byte)(ExtentTestFiles.ReadRaw(extent, offset, 1)[0] ^ 0xFF)]);

        await using var reopened = Open();
        await Assert.ThrowsAsync<BlockMissingException>(async () => await reopened.ReadAsync("1/2/3/0", 0, new byte[4000]));
    }

    [Fact]
    public async Task Maintenance_keeps_extent_files_and_deletes_leftovers_beside_them()
    {
        await using var store = Open();
        await store.PutAsync("1/2/3/0", TestData.Bytes(10, 1));
        var leftover = Path.Combine(_root, "1", "2", "3", BlockKeyRules.ReservedSegmentPrefix + "leftover");
        File.WriteAllBytes(leftover, [1]);
        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow.AddDays(-1));
        File.SetLastWriteTimeUtc(ExtentTestFiles.PathOf(_root, "1/2/3"), DateTime.UtcNow.AddDays(-1));

        Assert.Equal(1, (await store.RunMaintenanceAsync(TimeSpan.Zero)).LeftoversDeleted);
        Assert.False(File.Exists(leftover));
        Assert.Equal(TestData.Bytes(10, 1), await ReadAll(store, "1/2/3/0"));
    }

    [Fact]
    public async Task Keys_the_slots_cannot_hold_are_files_of_their_own()
    {
        await using var store = Open();
        await store.PutAsync("1/2/3/007", TestData.Bytes(10, 1)); // not a plain chunk number
        await store.PutAsync("1/2/3/x", TestData.Bytes(10, 2));
        await store.PutAsync("1/2/3/16384", TestData.Bytes(10, 3)); // past the slot table
        await store.PutAsync("1/2/3/5", TestData.Bytes(Slot + 1, 4)); // larger than a slot
        await store.PutAsync("1/2/3/6", ReadOnlyMemory<byte>.Empty);
        await store.PutAsync("solo", TestData.Bytes(10, 5));
        foreach (var key in new[] { "1/2/3/007", "1/2/3/x", "1/2/3/16384", "1/2/3/5", "1/2/3/6" })
        {
            Assert.True(File.Exists(Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar))), key);
        }
        Assert.False(File.Exists(ExtentTestFiles.PathOf(_root, "1/2/3")));
        Assert.Equal(TestData.Bytes(Slot + 1, 4), await ReadAll(store, "1/2/3/5"));
    }

    private static async Task<byte[]> ReadAll(LocalBlockStore store, string key)
    {
        var buffer = new byte[4 * 1024 * 1024];
        var n = await store.ReadAsync(key, 0, buffer);
        return buffer[..n];
    }

    private static async Task<List<BlockInfo>> List(LocalBlockStore store, string prefix)
    {
        var blocks = new List<BlockInfo>();
        await foreach (var block in store.ListAsync(prefix)) blocks.Add(block);
        return blocks;
    }

    private static async Task<List<string>> Keys(LocalBlockStore store, string prefix) => [.. (await List(store, prefix)).Select(b => b.Key)];
}
