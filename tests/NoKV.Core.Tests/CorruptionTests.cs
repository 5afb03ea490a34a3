namespace NoKV.Tests;

public sealed class CorruptionTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly Workspace _ws;

    public CorruptionTests() => _ws = _temp.Store.CreateWorkspace("/base");

    public void Dispose() => _temp.Dispose();

    private async Task<string> WriteOneBlock()
    {
        await _ws.WriteAllBytesAsync("/f", TestData.Bytes(1000, 1));
        return Assert.Single(_temp.BlockFiles());
    }

    [Fact]
    public async Task A_flipped_byte_is_caught_by_the_checksum()
    {
        var file = await WriteOneBlock();
        var bytes = File.ReadAllBytes(file);
        bytes[500] ^= 0xFF;
        File.WriteAllBytes(file, bytes);
        var e = await Assert.ThrowsAsync<BlockCorruptedException>(() => _ws.ReadAllBytesAsync("/f"));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_or_extended_block_is_corrupted()
    {
        var file = await WriteOneBlock();
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..999]);
        await Assert.ThrowsAsync<BlockCorruptedException>(() => _ws.ReadAllBytesAsync("/f"));
        File.WriteAllBytes(file, [.. bytes, 0]);
        await Assert.ThrowsAsync<BlockCorruptedException>(() => _ws.ReadAllBytesAsync("/f"));
    }

    [Fact]
    public async Task A_missing_block_is_reported_as_missing()
    {
        var file = await WriteOneBlock();
        File.Delete(file);
        var e = await Assert.ThrowsAsync<BlockMissingException>(() => _ws.ReadAllBytesAsync("/f"));
        Assert.EndsWith("/0", e.BlockKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whole_chunk_reads_into_the_callers_buffer_are_verified_too()
    {
        // ReadAllBytesAsync reads whole chunks straight into its array: that path must catch
        // a flipped byte and a grown block as the buffered path does.
        var data = TestData.Bytes(3 * TempStore.SmallChunk, 8);
        await _ws.WriteAllBytesAsync("/multi", data);
        Assert.Equal(data, await _ws.ReadAllBytesAsync("/multi"));
        var first = _temp.BlockFiles().Single(f => f.EndsWith("/0", StringComparison.Ordinal));
        var original = File.ReadAllBytes(first);

        var flipped = (byte[])original.Clone();
        flipped[7] ^= 0x10;
        File.WriteAllBytes(first, flipped);
        await Assert.ThrowsAsync<BlockCorruptedException>(() => _ws.ReadAllBytesAsync("/multi"));

        File.WriteAllBytes(first, [.. original, 1]);
        await Assert.ThrowsAsync<BlockCorruptedException>(() => _ws.ReadAllBytesAsync("/multi"));

        File.WriteAllBytes(first, original);
        using var copy = new MemoryStream();
        await using (var stream = _ws.OpenRead("/multi")) await stream.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
    }
}
