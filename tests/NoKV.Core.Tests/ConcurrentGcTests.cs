using System.Collections.Concurrent;

namespace NoKV.Tests;

public sealed class ConcurrentGcTests : IDisposable
{
    private readonly TempStore _temp = new();
    private WorkspaceStore Store => _temp.Store;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Gc_running_alongside_writers_readers_and_forks_loses_nothing()
    {
        var baseWs = Store.CreateWorkspace("/base");
        for (var i = 0; i < 10; i++) await baseWs.WriteAllBytesAsync($"/f{i}", TestData.Bytes(i * 1500, i));
        var pin = baseWs.Snapshot();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120)); // a deadlock fails, it does not hang
        var expected = new ConcurrentDictionary<string, ConcurrentDictionary<string, byte[]>>();
        var writersDone = 0;

        async Task Agent(int n)
        {
            var path = $"/forks/{n}";
            var ws = Store.Clone(pin, path).Workspace;
            var mine = expected.GetOrAdd(path, _ => new());
            for (var i = 0; i < 10; i++) mine[$"/f{i}"] = TestData.Bytes(i * 1500, i);
            var random = new Random(n);
            for (var round = 0; round < 40; round++)
            {
                deadline.Token.ThrowIfCancellationRequested();
                var file = $"/f{random.Next(12)}";
                var data = TestData.Bytes(random.Next(3 * TempStore.SmallChunk), n * 1000 + round);
                await ws.WriteAllBytesAsync(file, data);
                mine[file] = data;
                var check = $"/f{random.Next(12)}";
                if (mine.TryGetValue(check, out var want)) Assert.Equal(want, await ws.ReadAllBytesAsync(check));
                if (round % 10 == 0) Store.ReleaseSnapshot(ws.Snapshot().Id);
                if (round % 7 == 0) Assert.NotEmpty(Store.Diff(pin, path));
            }
            Interlocked.Increment(ref writersDone);
        }

        async Task Churn()
        {
            var round = 0;
            while (Volatile.Read(ref writersDone) < 6)
            {
                deadline.Token.ThrowIfCancellationRequested();
                var scratch = Store.Clone(pin, $"/scratch/{round}");
                await scratch.Workspace.WriteAllBytesAsync("/f0", TestData.Bytes(2 * TempStore.SmallChunk, round));
                scratch.Workspace.Rollback(pin);
                Store.DeleteWorkspace($"/scratch/{round++}");
            }
        }

        async Task Collector()
        {
            while (Volatile.Read(ref writersDone) < 6)
            {
                deadline.Token.ThrowIfCancellationRequested();
                await Store.CollectGarbageAsync(cancellationToken: deadline.Token);
            }
        }

        await Task.WhenAll([.. Enumerable.Range(0, 6).Select(n => Task.Run(() => Agent(n))), Task.Run(Churn), Task.Run(Collector)]);
        Store.CollectGarbage();

        foreach (var (path, files) in expected)
        {
            var ws = Store.OpenWorkspace(path);
            Assert.Equal(files.Keys.Order(StringComparer.Ordinal), ws.List("/").Select(n => n.Path));
            foreach (var (file, data) in files) Assert.Equal(data, await ws.ReadAllBytesAsync(file));
        }
        var report = Store.Verify();
        Assert.True(report.IsHealthy, string.Join(Environment.NewLine, report.Problems));
    }
}
