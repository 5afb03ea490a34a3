using System.Collections.Concurrent;
using NoKV.Tests.Model;
using Xunit.Abstractions;

namespace NoKV.Tests;

/// <summary>
/// Attack: writers (each owning a workspace and an exact model of it) write, append, truncate,
/// abort, delete, snapshot, roll back and clone subtrees while GC (OrphanGracePeriod zero, full
/// sweeps included) and Verify loop on other threads. Every read must return the model's bytes,
/// every snapshot its recorded tree, Verify must report nothing, and at the end the block store
/// must hold exactly the reachable blocks. NOKV_CHAOS_SECONDS sets the duration (default 8).
/// </summary>
public sealed class ConcurrentChaosAttackTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Writers_gc_and_verify_on_threads_keep_every_view_exact()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("NOKV_CHAOS_SECONDS"), out var s) ? s : 8;
        using var temp = new TempStore();
        var store = temp.Store;
        var problems = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var ops = 0L;
        var gcs = 0L;
        var verifies = 0L;
        var gcLog = new ConcurrentQueue<string>();

        var writers = Enumerable.Range(0, 3).Select(i => Task.Run(async () =>
        {
            var rng = new Random(1000 + i);
            var ws = store.CreateWorkspace("/w" + i);
            var model = new Dictionary<string, byte[]>();
            var pins = new List<(SnapshotPin Pin, Dictionary<string, byte[]> Model)>();
            var clones = new List<(string Path, long Pin)>();
            var cloneCounter = 0;
            string[] names = ["/f0", "/f1", "/f2", "/d/g0", "/d/g1"];
            ws.CreateDirectory("/d");
            while (!stop.IsCancellationRequested)
            {
                var name = names[rng.Next(names.Length)];
                var op = rng.Next(12);
                try
                {
                    switch (op)
                    {
                        case 0 or 1:
                        {
                            var data = TestData.Bytes(rng.Next(0, 3 * TempStore.SmallChunk + 50), rng.Next());
                            await ws.WriteAllBytesAsync(name, data);
                            model[name] = data;
                            break;
                        }
                        case 2 when model.ContainsKey(name):
                        {
                            var tail = TestData.Bytes(rng.Next(1, 2 * TempStore.SmallChunk), rng.Next());
                            await using (var append = await ws.OpenAppendAsync(name)) await append.WriteAsync(tail);
                            model[name] = [.. model[name], .. tail];
                            break;
                        }
                        case 3 when model.ContainsKey(name):
                        {
                            var length = rng.Next(0, 3 * TempStore.SmallChunk);
                            await ws.TruncateAsync(name, length);
                            var old = model[name];
                            var now = new byte[length];
                            Array.Copy(old, now, Math.Min(old.Length, length));
                            model[name] = now;
                            break;
                        }
                        case 4:
                        {
                            await using var aborted = ws.OpenWrite(name);
                            await aborted.WriteAsync(TestData.Bytes(2 * TempStore.SmallChunk + 1, rng.Next()));
                            aborted.Abort();
                            break;
                        }
                        case 5 when model.ContainsKey(name):
                            ws.Delete(name);
                            model.Remove(name);
                            break;
                        case 6:
                            pins.Add((ws.Snapshot(), new Dictionary<string, byte[]>(model)));
                            break;
                        case 7 when pins.Count > 0:
                        {
                            var (pin, pinned) = pins[rng.Next(pins.Count)];
                            ws.Rollback(pin);
                            model = new Dictionary<string, byte[]>(pinned);
                            break;
                        }
                        case 8 when pins.Count > 0:
                        {
                            var k = rng.Next(pins.Count);
                            store.ReleaseSnapshot(pins[k].Pin.Id);
                            pins.RemoveAt(k);
                            break;
                        }
                        case 9:
                        {
                            var path = $"/c{i}x{cloneCounter++}";
                            var clone = store.Clone($"/w{i}/d", path);
                            clones.Add((path, clone.SnapshotId));
                            foreach (var (p, bytes) in model.Where(m => m.Key.StartsWith("/d/", StringComparison.Ordinal)))
                            {
                                var got = await clone.Workspace.ReadAllBytesAsync(p[2..]);
                                if (!got.AsSpan().SequenceEqual(bytes)) problems.Enqueue($"clone {path} of w{i}: {p} differs");
                            }
                            await clone.Workspace.WriteAllBytesAsync("/own", TestData.Bytes(TempStore.SmallChunk + 1, rng.Next()));
                            break;
                        }
                        case 10 when clones.Count > 0:
                        {
                            var k = rng.Next(clones.Count);
                            store.DeleteWorkspace(clones[k].Path);
                            if (rng.Next(2) == 0) store.ReleaseSnapshot(clones[k].Pin);
                            clones.RemoveAt(k);
                            break;
                        }
                        default:
                        {
                            foreach (var (p, bytes) in model)
                            {
                                var got = await ws.ReadAllBytesAsync(p);
                                if (!got.AsSpan().SequenceEqual(bytes)) problems.Enqueue($"w{i}: {p} read {got.Length} bytes, model has {bytes.Length}");
                            }
                            if (pins.Count > 0)
                            {
                                var (pin, pinned) = pins[rng.Next(pins.Count)];
                                foreach (var (p, bytes) in pinned)
                                {
                                    var got = await pin.ReadAllBytesAsync(p);
                                    if (!got.AsSpan().SequenceEqual(bytes)) problems.Enqueue($"w{i} snapshot {pin.Id}: {p} differs");
                                }
                            }
                            break;
                        }
                    }
                    Interlocked.Increment(ref ops);
                }
                catch (Exception e)
                {
                    problems.Enqueue($"w{i} op {op} on {name}: {e}");
                }
            }
            return (i, model, pins);
        })).ToArray();

        var gc = Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    var r = await store.CollectGarbageAsync(n++ % 3 == 0 ? GcMode.Full : GcMode.Incremental);
                    Interlocked.Increment(ref gcs);
                    gcLog.Enqueue($"{r.Mode} {clock.ElapsedMilliseconds} ms: layers {r.LayersCollected}+{r.LayersMerged}, shadowed {r.ShadowedVersionsCollected}, generations {r.GenerationsCollected} (in use {r.GenerationsInUse}), blocks {r.BlocksDeleted}, orphans {r.OrphansDeleted}");
                }
                catch (Exception e) { problems.Enqueue("GC: " + e); }
            }
        });
        var verify = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var report = await store.VerifyAsync();
                    foreach (var p in report.Problems) problems.Enqueue($"Verify during the run: {p} ({p.Where} {p.Path} {p.BlockKey})");
                    Interlocked.Increment(ref verifies);
                }
                catch (Exception e) { problems.Enqueue("Verify: " + e); }
            }
        });

        var results = await Task.WhenAll(writers);
        await Task.WhenAll(gc, verify);
        foreach (var line in gcLog) output.WriteLine(line);
        output.WriteLine($"{ops} operations, {gcs} GC runs, {verifies} Verify runs, {problems.Count} problems");

        foreach (var (i, model, pins) in results)
        {
            var ws = store.OpenWorkspace("/w" + i);
            foreach (var (p, bytes) in model) Assert.Equal(bytes, await ws.ReadAllBytesAsync(p));
            foreach (var (pin, pinned) in pins)
                foreach (var (p, bytes) in pinned) Assert.Equal(bytes, await pin.ReadAllBytesAsync(p));
        }
        await store.CollectGarbageAsync(GcMode.Full);
        Assert.Equal(ReachableBlocks.Of(store), temp.BlockKeys());
        var final = await store.VerifyAsync();
        Assert.True(final.IsHealthy, string.Join("; ", final.Problems));
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Take(20)));
    }
}
