using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// A read stream opened on a version that was only published in a deferred batch whose commit
/// then failed. The version is lost to new readers, but the open stream leases it: GC must not
/// delete its blocks under it (as it never does for a leased version that was overwritten).
/// </summary>
public sealed class LostBatchOpenReaderTests : IDisposable
{
    private readonly DeferredAttackHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task An_open_reader_of_a_lost_version_keeps_reading_through_gc()
    {
        using var store = DeferredAttackHarness.OpenDeferred(_harness.NewDirectory(), TimeSpan.FromMinutes(1));
        var ws = store.CreateWorkspace("/w");
        store.Flush();
        var bytes = TestData.Bytes(3 * TempStore.SmallChunk, 5);
        await ws.WriteAllBytesAsync("/f", bytes); // pending record committed, publish in the open batch
        await using var reader = ws.OpenRead("/f");
        var head = new byte[10];
        await reader.ReadExactlyAsync(head);

        var fail = 1;
        store.Meta.CommitFaults = phase =>
        {
            if (phase == CommitPhase.BeforeCommit && Interlocked.Exchange(ref fail, 0) == 1) throw new IOException("the disk refused the commit");
        };
        var lost = await Record.ExceptionAsync(() => store.FlushAsync());
        Assert.True(lost is not null && DeferredAttackHarness.IsLostBatch(lost), $"expected the failed commit, got {lost}");
        store.Meta.CommitFaults = null;

        // GC may refuse to run after a failed commit; if it runs, it must spare the leased version.
        var gc = await Record.ExceptionAsync(() => store.CollectGarbageAsync(GcMode.Full));
        Assert.True(gc is null or NoKVException, $"GC failed with {gc}");
        var rest = new byte[bytes.Length - head.Length];
        var failure = await Record.ExceptionAsync(async () => await reader.ReadExactlyAsync(rest));
        Assert.True(failure is null, $"the open reader failed after GC: {failure?.GetType().Name}: {failure?.Message}");
        Assert.Equal(bytes, head.Concat(rest).ToArray());
    }
}
