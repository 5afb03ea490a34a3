namespace NoKV.Tests;

/// <summary>
/// A full GC with no grace period, running while a write uploads blocks in this process, must
/// not touch the write: not its blocks, not the temporary files its block writes go through.
/// </summary>
public sealed class InFlightWriteGcTests : IDisposable
{
    private readonly TempStore _temp = new(chunkSize: 256 * 1024);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_full_gc_with_zero_grace_never_breaks_a_write_in_flight()
    {
        var ws = _temp.Store.CreateWorkspace("/w");
        var data = TestData.Bytes(8 * _temp.ChunkSize + 3, 1);
        using var stop = new CancellationTokenSource();
        var gc = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) await _temp.Store.CollectGarbageAsync(GcMode.Full);
        });
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; clock.Elapsed < TimeSpan.FromSeconds(4); i++)
            {
                await ws.WriteAllBytesAsync($"/f{i % 4}", data);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await gc;
        }
        for (var i = 0; i < 4; i++) Assert.Equal(data, await ws.ReadAllBytesAsync($"/f{i}"));
        await _temp.Store.CollectGarbageAsync(GcMode.Full);
        Assert.True(_temp.Store.Verify().IsHealthy);
    }

    [Fact]
    public void Stale_temporary_files_of_a_crashed_write_are_still_removed()
    {
        // A temporary file no write in this process owns is what a crash leaves behind.
        var dir = Path.Combine(_temp.BlocksDirectory, "1", "2");
        Directory.CreateDirectory(dir);
        var stale = Path.Combine(dir, ".tmp-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(stale, [1, 2, 3]);
        _temp.Store.CollectGarbage(GcMode.Full);
        Assert.False(File.Exists(stale));
    }
}
