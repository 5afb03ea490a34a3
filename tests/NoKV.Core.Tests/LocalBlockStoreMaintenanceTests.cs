namespace NoKV.Tests;

/// <summary>
/// The local store's <see cref="IBlockStoreMaintenance"/>: temporary files that crashed writes left
/// are deleted once older than the grace period, and nothing else is.
/// </summary>
public sealed class LocalBlockStoreMaintenanceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-maintenance", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    [Fact]
    public async Task Old_temporary_files_go_young_ones_and_blocks_stay()
    {
        await using var store = new LocalBlockStore(_root);
        await store.PutAsync("1/2/3/0", TestData.Bytes(10, 1));
        var old = Plant("1/2/3", TimeSpan.FromHours(2));
        var olderStill = Plant("4", TimeSpan.FromDays(3));
        var young = Plant("1/2/3", TimeSpan.FromMinutes(1));

        var result = await store.RunMaintenanceAsync(TimeSpan.FromHours(1));

        Assert.Equal(2, result.LeftoversDeleted);
        Assert.False(File.Exists(old));
        Assert.False(File.Exists(olderStill));
        Assert.True(File.Exists(young), "a temporary file younger than the grace period may still be a running write's");
        Assert.True(await store.ExistsAsync("1/2/3/0"));
        Assert.Equal(0, (await store.RunMaintenanceAsync(TimeSpan.FromHours(1))).LeftoversDeleted);
    }

    [Fact]
    public async Task A_negative_grace_period_is_refused()
    {
        await using var store = new LocalBlockStore(_root);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.RunMaintenanceAsync(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Temporary_files_are_never_listed_as_blocks()
    {
        await using var store = new LocalBlockStore(_root);
        await store.PutAsync("1/2/3/0", TestData.Bytes(10, 1));
        Plant("1/2/3", TimeSpan.Zero);
        Plant("", TimeSpan.Zero);

        var keys = new List<string>();
        await foreach (var block in store.ListAsync("")) keys.Add(block.Key);
        Assert.Equal(["1/2/3/0"], keys);
        keys.Clear();
        await foreach (var block in store.ListAsync("1/2/3/.")) keys.Add(block.Key);
        Assert.Empty(keys);
    }

    private string Plant(string directoryKey, TimeSpan age)
    {
        var dir = Path.Combine(_root, directoryKey.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, BlockKeyRules.ReservedSegmentPrefix + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, [1, 2, 3]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }
}
