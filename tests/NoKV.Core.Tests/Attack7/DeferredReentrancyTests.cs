namespace NoKV.Tests;

/// <summary>
/// Store calls made from code the store itself is running (an enumeration's loop body, an
/// import's progress reporter) in a deferred store, where every read and write shares one batch
/// lock: they must neither deadlock nor be refused as nested transactions.
/// </summary>
public sealed class DeferredReentrancyTests : IDisposable
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);
    private readonly DeferredAttackHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task An_enumeration_whose_loop_body_writes_flushes_snapshots_and_reads_completes()
    {
        using var store = DeferredAttackHarness.OpenDeferred(_harness.NewDirectory(), TimeSpan.FromMilliseconds(5), TempStore.ProductInline);
        var ws = store.CreateWorkspace("/w");
        ws.CreateDirectory("/d");
        for (var i = 0; i < 600; i++) await ws.WriteAllBytesAsync($"/d/f{i:D4}", TestData.Bytes(20, i)); // several pages of entries

        async Task Enumerate()
        {
            var seen = 0;
            await foreach (var node in ws.EnumerateAsync("/d"))
            {
                seen++;
                await ws.WriteAllBytesAsync($"/d/new{seen:D4}", TestData.Bytes(30, seen)); // the directory grows under the enumeration
                if (seen % 50 == 0) await store.FlushAsync();
                if (seen % 200 == 0) store.Snapshot("/w");
                Assert.Equal(TestData.Bytes(20, int.Parse(node.Name.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)), await ws.ReadAllBytesAsync(node.Path));
                if (seen == 600) break;
            }
            Assert.Equal(600, seen);
        }
        await Enumerate().WaitAsync(Hang);
    }

    [Fact]
    public async Task A_progress_reporter_that_uses_the_store_does_not_deadlock_an_import()
    {
        var source = _harness.NewDirectory();
        Directory.CreateDirectory(source);
        for (var i = 0; i < 3000; i++) File.WriteAllBytes(Path.Combine(source, $"s{i:D4}"), TestData.Bytes(10 + i % 50, i));
        using var store = DeferredAttackHarness.OpenDeferred(_harness.NewDirectory(), TimeSpan.FromMilliseconds(5), TempStore.ProductInline);
        var ws = store.CreateWorkspace("/w");
        var reports = 0;
        var progress = new SynchronousProgress(result =>
        {
            reports++;
            store.Flush();
            ws.WriteAllBytesAsync($"/progress{reports}", TestData.Bytes(5, reports)).GetAwaiter().GetResult();
            _ = ws.List("/");
            store.Snapshot("/w");
        });
        await ws.ImportAsync(source, "/in", new ImportOptions { Progress = progress }).WaitAsync(Hang);
        Assert.True(reports > 0);
        Assert.Equal(3000, ws.List("/in").Count);
        store.Flush();
    }

    /// <summary>Reports on the importing thread, as a caller's own IProgress may (Progress&lt;T&gt; posts elsewhere).</summary>
    private sealed class SynchronousProgress(Action<ImportResult> report) : IProgress<ImportResult>
    {
        public void Report(ImportResult value) => report(value);
    }
}
