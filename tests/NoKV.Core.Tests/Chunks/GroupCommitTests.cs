using NoKV.Lmdb;

namespace NoKV.Tests.Chunks;

/// <summary>
/// Group commit: writes that queue while a commit is under way share the next one, and each
/// keeps its own all-or-nothing outcome. The first commit is held (by the commit fault hook)
/// until the others have queued, so the batch happens deterministically.
/// </summary>
public sealed class GroupCommitTests
{
    private const int Writers = 8;

    [Fact]
    public async Task Writes_queued_during_a_commit_share_the_next_one_and_a_failing_one_is_rolled_back_alone()
    {
        using var temp = new TempStore(inlineThreshold: TempStore.ProductInline);
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        await ws.Write("/taken", "old");
        var (batchesBefore, writesBefore) = store.Meta.GroupCommits;

        var held = 0;
        store.Meta.CommitFaults = phase =>
        {
            // Hold the first commit until every other writer waits for the gate.
            if (phase == CommitPhase.BeforeCommit && Interlocked.Exchange(ref held, 1) == 0)
                SpinWait.SpinUntil(() => store.Meta.QueuedWrites >= Writers + 1, TimeSpan.FromSeconds(30));
        };
        try
        {
            var first = OnOwnThread(() => ws.CreateDirectory("/first"));
            SpinWait.SpinUntil(() => Volatile.Read(ref held) == 1, TimeSpan.FromSeconds(30));
            var writes = Enumerable.Range(0, Writers).Select(i => OnOwnThread(() => ws.Write($"/f{i}", $"data {i}").GetAwaiter().GetResult())).ToList();
            var failing = OnOwnThread(() => ws.CreateSymbolicLink("/taken", "x")); // the name exists: this write alone fails
            await first;
            await Task.WhenAll(writes);
            await Assert.ThrowsAsync<PathAlreadyExistsException>(() => failing);
        }
        finally
        {
            store.Meta.CommitFaults = null;
        }

        for (var i = 0; i < Writers; i++) Assert.Equal($"data {i}", await ws.ReadText($"/f{i}"));
        Assert.Equal("old", await ws.ReadText("/taken"));
        Assert.Equal(NodeKind.File, ws.Stat("/taken").Kind);
        var (batches, batched) = store.Meta.GroupCommits;
        // The first commit held one write; the next took the eight publishes and the failing link together.
        Assert.Equal(2, batches - batchesBefore);
        Assert.Equal(Writers + 2, batched - writesBefore);
        Assert.True(store.Verify().IsHealthy);
        Assert.Equal(Writers, temp.Reopen().OpenWorkspace("/w").List("/").Count(n => n.Name is ['f', >= '0' and <= '9']));
    }

    [Fact]
    public async Task A_commit_that_fails_fails_every_write_of_its_batch_and_none_of_them_lands()
    {
        using var temp = new TempStore(inlineThreshold: TempStore.ProductInline);
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        var calls = 0;
        store.Meta.CommitFaults = phase =>
        {
            if (phase != CommitPhase.BeforeCommit) return;
            var call = Interlocked.Increment(ref calls);
            if (call == 1) SpinWait.SpinUntil(() => store.Meta.QueuedWrites >= Writers, TimeSpan.FromSeconds(30));
            if (call == 2) throw new IOException("disk gone"); // the batch of queued writes
        };
        try
        {
            var first = OnOwnThread(() => ws.CreateDirectory("/first"));
            SpinWait.SpinUntil(() => Volatile.Read(ref calls) == 1, TimeSpan.FromSeconds(30));
            var writes = Enumerable.Range(0, Writers).Select(i => OnOwnThread(() => ws.CreateDirectory($"/d{i}"))).ToList();
            await first;
            foreach (var write in writes) await Assert.ThrowsAsync<IOException>(() => write);
        }
        finally
        {
            store.Meta.CommitFaults = null;
        }
        Assert.Equal(["first"], ws.List("/").Select(n => n.Name));
        Assert.True(store.Verify().IsHealthy);
    }

    /// <summary>Each writer blocks on the gate: its own thread, so the pool's slow thread injection does not pace the test.</summary>
    private static Task OnOwnThread(Action write) => Task.Factory.StartNew(write, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
