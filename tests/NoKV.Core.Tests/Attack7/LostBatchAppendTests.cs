using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// A path append (<see cref="Workspace.OpenAppendAsync"/>) opened on a version that was only
/// published in a deferred batch, and finished after that batch's commit failed (the version is
/// lost). The append borrows the lost version's whole chunks; nothing may then delete those
/// blocks while the new version uses them.
/// </summary>
public sealed class LostBatchAppendTests : IDisposable
{
    private readonly DeferredAttackHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task An_append_opened_on_a_version_of_a_lost_batch_keeps_its_borrowed_blocks_through_gc()
    {
        var directory = _harness.NewDirectory();
        var store = DeferredAttackHarness.OpenDeferred(directory, TimeSpan.FromMinutes(1));
        var ws = store.CreateWorkspace("/w");
        store.Flush();

        // Two whole chunks in blocks: the pending record commits (ordered), the publish stays in the open batch.
        var first = TestData.Bytes(2 * TempStore.SmallChunk, 1);
        await ws.WriteAllBytesAsync("/f", first);
        Assert.True(store.Meta.HasUncommittedWrites);

        // The append borrows both chunks; it writes nothing yet, so nothing commits.
        var append = await ws.OpenAppendAsync("/f");

        var fail = 1;
        store.Meta.CommitFaults = phase =>
        {
            if (phase == CommitPhase.BeforeCommit && Interlocked.Exchange(ref fail, 0) == 1) throw new IOException("the disk refused the commit");
        };
        var lost = await Record.ExceptionAsync(() => store.FlushAsync()); // the batch holding /f's publish is lost
        Assert.True(lost is not null && DeferredAttackHarness.IsLostBatch(lost), $"expected the failed commit, got {lost}");
        store.Meta.CommitFaults = null;
        Assert.False(ws.Exists("/f"));

        var tail = TestData.Bytes(10, 2);
        byte[] expected = [.. first, .. tail];
        // Whatever the store decides about such an append (refuse it, or publish it), what it
        // shows must stay readable through GC, in this process and after reopening.
        var refused = await Record.ExceptionAsync(async () =>
        {
            await append.WriteAsync(tail);
            await append.DisposeAsync(); // publishes at the path, in a new batch
            store.Flush();
        });
        if (refused is null) await CheckAfterGc(store, expected, "live");
        store.Dispose();
        using var reopened = WorkspaceStore.Open(DeferredAttackHarness.Options(directory, TimeSpan.FromMinutes(1)));
        await CheckAfterGc(reopened, expected, "reopened");
    }

    private static async Task CheckAfterGc(WorkspaceStore store, byte[] expected, string what)
    {
        await store.CollectGarbageAsync(GcMode.Full);
        var report = store.Verify();
        Assert.True(report.IsHealthy, $"{what}, after GC: " + string.Join("; ", report.Problems.Select(p => p.ToString())));
        var ws = store.OpenWorkspace("/w");
        if (ws.Exists("/f")) Assert.Equal(expected, await ws.ReadAllBytesAsync("/f"));
    }
}
