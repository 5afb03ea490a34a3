using System.Collections.Concurrent;

namespace NoKV.Tests;

/// <summary>
/// Disposing a deferred store while other threads write, read, flush, snapshot and enumerate:
/// the others fail only with <see cref="ObjectDisposedException"/> (or finish), nothing hangs,
/// and every write that returned before disposing began is durable afterwards.
/// </summary>
public sealed class DeferredDisposeRaceTests : IDisposable
{
    private readonly DeferredAttackHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Disposing_while_others_work_fails_them_cleanly_and_keeps_every_write_that_returned_before(bool disposeAsync)
    {
        for (var round = 0; round < 6; round++)
        {
            var directory = _harness.NewDirectory();
            var store = DeferredAttackHarness.OpenDeferred(directory, TimeSpan.FromMilliseconds(2 + round), round % 2 == 0 ? TempStore.ProductInline : 0);
            var ws = store.CreateWorkspace("/w");
            ws.CreateDirectory("/d");
            store.Flush();

            var disposing = 0;
            var returnedBefore = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
            var unexpected = new ConcurrentQueue<string>();
            async Task Worker(int t)
            {
                for (var i = 0; ; i++)
                {
                    try
                    {
                        switch ((t + i) % 6)
                        {
                            case 0:
                            case 1:
                                var path = $"/d/t{t}-{i}";
                                var bytes = TestData.Bytes(100 + (i % 7) * 3000, t * 1000 + i);
                                await ws.WriteAllBytesAsync(path, bytes);
                                if (Volatile.Read(ref disposing) == 0) returnedBefore[path] = bytes;
                                break;
                            case 2:
                                await store.FlushAsync();
                                break;
                            case 3:
                                await foreach (var node in ws.EnumerateAsync("/d")) _ = node.Length;
                                break;
                            case 4:
                                if (i % 24 == 4) store.Snapshot("/w");
                                else store.Flush();
                                break;
                            default:
                                var names = ws.List("/d");
                                if (names.Count > 0) await ws.ReadAllBytesAsync(names[i % names.Count].Path);
                                break;
                        }
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // A file listed, then read after disposing began: only the disposal may stop it.
                        unexpected.Enqueue($"round {round}, worker {t}, step {i}: {e.GetType().Name}: {e.Message}");
                        return;
                    }
                }
            }
            var workers = Enumerable.Range(0, 4).Select(t => Task.Run(() => Worker(t))).ToArray();
            await Task.Delay(40 + 15 * round);
            Volatile.Write(ref disposing, 1);
            if (disposeAsync) await store.DisposeAsync();
            else store.Dispose();
            var all = Task.WhenAll(workers);
            var finished = await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.True(finished == all, $"round {round}: a worker still runs 30 s after the store was disposed (deadlock)");
            Assert.True(unexpected.IsEmpty, string.Join("\n", unexpected.Take(5)));

            using var reopened = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory, ChunkSize = TempStore.SmallChunk });
            var files = DeferredAttackHarness.Files(reopened, "/w");
            var missing = returnedBefore.Where(kv => !files.TryGetValue(kv.Key, out var kept) || !kept.AsSpan().SequenceEqual(kv.Value)).Select(kv => kv.Key).ToList();
            Assert.True(missing.Count == 0, $"round {round}: {missing.Count} of {returnedBefore.Count} writes that returned before Dispose are missing or wrong, e.g. {string.Join(", ", missing.Take(5))}");
            var report = reopened.Verify();
            Assert.True(report.IsHealthy, $"round {round}: " + string.Join("; ", report.Problems.Take(5).Select(p => p.ToString())));
        }
    }
}
