namespace NoKV.Tests;

/// <summary>
/// Attack (issue 15, group commit): many threads writing at once where some writes fail
/// (a name that exists, a body throwing a foreign exception), and the store disposed while
/// writers are queued: every caller gets its own outcome, nothing hangs, the others land.
/// </summary>
public sealed class GroupCommitAttackTests
{
    [Fact]
    public async Task Concurrent_writes_with_failures_mixed_in_each_get_their_own_outcome()
    {
        using var temp = new TempStore(inlineThreshold: TempStore.ProductInline);
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        await ws.Write("/taken", "old");
        const int Writers = 48;
        var tasks = Enumerable.Range(0, Writers).Select(i => Task.Factory.StartNew(() =>
        {
            switch (i % 3)
            {
                case 0: ws.WriteAllBytesAsync($"/f{i}", TestData.Bytes(100 + i, i)).GetAwaiter().GetResult(); break;
                case 1: ws.CreateSymbolicLink("/taken", "x"); break; // always fails: the name exists
                default: store.Meta.Write(_ => throw new InvalidOperationException($"body {i}")); break;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        for (var i = 0; i < Writers; i++)
        {
            var failure = await Record.ExceptionAsync(() => tasks[i]);
            switch (i % 3)
            {
                case 0: Assert.Null(failure); Assert.Equal(TestData.Bytes(100 + i, i), await ws.ReadAllBytesAsync($"/f{i}")); break;
                case 1: Assert.IsType<PathAlreadyExistsException>(failure); break;
                default: Assert.Equal($"body {i}", Assert.IsType<InvalidOperationException>(failure).Message); break;
            }
        }
        Assert.Equal("old", await ws.ReadText("/taken"));
        Assert.True(store.Verify().IsHealthy);
    }

    [Fact]
    public async Task Disposing_the_store_while_writers_queue_does_not_hang_and_each_write_lands_or_is_refused()
    {
        using var temp = new TempStore(inlineThreshold: TempStore.ProductInline);
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        using var go = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 32).Select(i => Task.Factory.StartNew(() =>
        {
            go.Wait();
            ws.CreateDirectory($"/d{i}");
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        go.Set();
        SpinWait.SpinUntil(() => store.Meta.QueuedWrites > 0, TimeSpan.FromSeconds(5));
        var dispose = Task.Run(store.Dispose);
        var all = Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)).Append(dispose));
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30))));
        var landed = new List<int>();
        for (var i = 0; i < tasks.Length; i++)
        {
            var failure = await Record.ExceptionAsync(() => tasks[i]);
            if (failure is null) landed.Add(i);
            else Assert.True(failure is ObjectDisposedException, $"writer {i}: {failure}");
        }
        var reopened = temp.Open();
        var names = reopened.OpenWorkspace("/w").List("/").Select(n => n.Name).Order().ToList();
        reopened.Dispose();
        Assert.Equal(landed.Select(i => $"d{i}").Order().ToList(), names);
    }
}
