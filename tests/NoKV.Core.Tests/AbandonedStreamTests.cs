using System.Runtime.CompilerServices;

namespace NoKV.Tests;

/// <summary>
/// Streams a caller drops without disposing: a read stream must not hold its version against GC
/// forever, and a write stream must never publish — its blocks become orphans GC reclaims.
/// </summary>
public sealed class AbandonedStreamTests : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_read_stream_never_disposed_stops_holding_its_version_once_finalized()
    {
        var ws = _temp.Store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(3 * TempStore.SmallChunk, 1));
        var oldBlocks = _temp.BlockKeys();
        ReadSomeAndDrop(ws);

        await ws.WriteAllBytesAsync("/f", TestData.Bytes(2 * TempStore.SmallChunk, 2));
        // The dropped stream's read-ahead may still be running on a busy thread pool (it keeps the
        // stream reachable until it ends), so finalization may take a few rounds.
        for (var round = 0; round < 100; round++)
        {
            ForceFinalizers();
            await _temp.Store.CollectGarbageAsync();
            if (!_temp.BlockKeys().Intersect(oldBlocks).Any()) break;
            await Task.Delay(50);
        }

        Assert.Empty(_temp.BlockKeys().Intersect(oldBlocks));
        Assert.Equal(2, _temp.BlockKeys().Count);
        Assert.True(_temp.Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task A_write_stream_never_disposed_publishes_nothing_and_gc_reclaims_its_blocks()
    {
        var ws = _temp.Store.CreateWorkspace("/w");
        var old = TestData.Bytes(TempStore.SmallChunk + 1, 1);
        await ws.WriteAllBytesAsync("/f", old);
        var blocksBefore = _temp.BlockKeys();
        await WriteSomeAndDrop(ws);
        Assert.True(_temp.BlockKeys().Count > blocksBefore.Count);

        ForceFinalizers();
        Assert.Equal(old, await ws.ReadAllBytesAsync("/f"));
        await _temp.Store.CollectGarbageAsync();

        Assert.Equal(blocksBefore, _temp.BlockKeys());
        Assert.Equal(old, await ws.ReadAllBytesAsync("/f"));
        Assert.True(_temp.Store.Verify().IsHealthy);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ReadSomeAndDrop(Workspace ws)
    {
        var stream = ws.OpenRead("/f");
        var buffer = new byte[100];
        stream.ReadExactly(buffer);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task WriteSomeAndDrop(Workspace ws)
    {
        var stream = ws.OpenWrite("/f");
        stream.Write(TestData.Bytes(3 * TempStore.SmallChunk, 2));
        stream.Flush();
        return Task.CompletedTask;
    }

    private static void ForceFinalizers()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }
}
