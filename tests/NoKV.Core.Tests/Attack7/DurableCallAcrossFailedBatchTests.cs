using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// Calls that promise durability in a deferred store (a snapshot, a flush) while other threads
/// flush and batch commits fail: a call that returns without an exception must have its change
/// committed. A failed commit may lose writes, but never behind the back of a caller that was
/// told its change is durable.
/// </summary>
public sealed class DurableCallAcrossFailedBatchTests : IDisposable
{
    private readonly DeferredAttackHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_snapshot_that_returns_exists_even_when_other_threads_flush_batches_that_fail()
    {
        // Rounds until a snapshot is lost or time is up: each round runs until its first failed
        // commit (a store may refuse all changes after one), then the store is reopened and
        // every snapshot reported in the round must be there.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var reported = 0;
        var rounds = 0;
        var lost = new List<string>();
        while (DateTime.UtcNow < deadline && lost.Count == 0)
        {
            rounds++;
            var directory = _harness.NewDirectory();
            var store = DeferredAttackHarness.OpenDeferred(directory, TimeSpan.FromMinutes(1), TempStore.ProductInline);
            var ws = store.CreateWorkspace("/w");
            store.Flush();
            var failing = 1;
            store.Meta.CommitFaults = phase =>
            {
                if (phase == CommitPhase.BeforeCommit && Volatile.Read(ref failing) == 1 && Random.Shared.Next(3) == 0) throw new IOException("the disk refused the commit");
            };
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var flushers = Enumerable.Range(0, 2).Select(t => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        await ws.WriteAllBytesAsync($"/t{t}-{i % 20}", TestData.Bytes(50, i));
                        await store.FlushAsync();
                    }
                    catch (Exception e) when (DeferredAttackHarness.IsLostBatch(e) || e is NoKVException) { await Task.Yield(); }
                }
            })).ToArray();

            var pins = new List<long>();
            for (var attempts = 0; !stop.IsCancellationRequested && attempts < 200; attempts++)
            {
                SnapshotPin pin;
                try { pin = store.Snapshot("/w"); }
                catch (Exception e) when (DeferredAttackHarness.IsLostBatch(e) || e is NoKVException) { break; } // told: fair
                pins.Add(pin.Id);
                try { _ = store.GetSnapshot(pin.Id); }
                catch (SnapshotNotFoundException) { lost.Add($"round {rounds}: snapshot {pin.Id} is gone right after Snapshot returned"); }
            }
            await stop.CancelAsync();
            await Task.WhenAll(flushers);
            Volatile.Write(ref failing, 0);
            store.Dispose();
            reported += pins.Count;

            using var reopened = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory, ChunkSize = TempStore.SmallChunk });
            var kept = reopened.ListSnapshots().Select(p => p.Id).ToHashSet();
            lost.AddRange(pins.Where(id => !kept.Contains(id)).Select(id => $"round {rounds}: snapshot {id} is missing after reopening"));
        }
        Assert.True(lost.Count == 0, $"{reported} snapshots reported in {rounds} rounds; lost: {string.Join("; ", lost.Take(5))}");
    }

    [Fact]
    public async Task A_flush_that_returns_means_the_callers_earlier_writes_are_committed()
    {
        var directory = _harness.NewDirectory();
        var store = DeferredAttackHarness.OpenDeferred(directory, TimeSpan.FromMinutes(1), TempStore.ProductInline);
        var ws = store.CreateWorkspace("/w");
        store.Flush();

        // Two callers, each writing then flushing; the commit of the batch holding both writes fails.
        await ws.WriteAllBytesAsync("/alice", TestData.Bytes(10, 1));
        await ws.WriteAllBytesAsync("/bob", TestData.Bytes(10, 2));
        var fail = 1;
        store.Meta.CommitFaults = phase =>
        {
            if (phase == CommitPhase.BeforeCommit && Interlocked.Exchange(ref fail, 0) == 1) throw new IOException("the disk refused the commit");
        };
        var bob = await Record.ExceptionAsync(() => store.FlushAsync()); // bob's flush: told
        Assert.True(bob is not null && DeferredAttackHarness.IsLostBatch(bob), $"expected the failed commit, got {bob}");
        var alice = await Record.ExceptionAsync(() => store.FlushAsync()); // alice's flush, after her write
        store.Dispose();

        using var reopened = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory, ChunkSize = TempStore.SmallChunk });
        var aliceKept = DeferredAttackHarness.Files(reopened, "/w").ContainsKey("/alice");
        Assert.True(alice is not null || aliceKept, "alice's FlushAsync returned without an error, and her write is gone");
    }
}
