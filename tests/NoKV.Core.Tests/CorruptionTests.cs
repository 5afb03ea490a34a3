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
}
