using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests;

/// <summary>
/// Generated concurrent schedules on a deferred store: writer threads, each with files of its
/// own, write, delete, append, truncate and edit by inode, and flush; an admin thread snapshots,
/// clones, promotes, rolls back, deletes workspaces, releases snapshots and runs GC, all at once.
/// At generated points every thread pauses between operations and a crash image is taken: it
/// opens healthy, and for each writer it shows a state of that writer's own history at or after
/// the writer's last returned flush (a prefix that holds everything the writer flushed).
/// </summary>
public sealed class ConcurrentDeferredCrashProperties : IDisposable
{
    private const int Writers = 3;
    private readonly DeferredAttackHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private readonly record struct Step(int Kind, int File, int Size);

    private static Gen<Step[]> Steps(int kinds) =>
        Gen.Choose(0, kinds - 1).SelectMany(kind => Gen.Choose(0, 2).SelectMany(file => Gen.Choose(0, 2 * TempStore.SmallChunk + 300).Select(size => new Step(kind, file, size))))
            .ArrayOf().Select(steps => steps.Take(40).ToArray());

    private static Gen<(Step[][] Writers, Step[] Admin, int[] Images)> Schedules() =>
        Steps(8).ArrayOf(Writers).SelectMany(writers => Steps(10).SelectMany(admin =>
            Gen.Choose(1, 60).ArrayOf().Select(images => (writers, admin, images.Take(4).Order().ToArray()))));

    [Fact]
    public void Crash_images_taken_between_concurrent_operations_show_each_writers_flushed_prefix()
    {
        Prop.ForAll(Schedules().ToArbitrary(), schedule => Run(schedule.Writers, schedule.Admin, schedule.Images))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(15));
    }

    private sealed class WriterState
    {
        public readonly Dictionary<string, byte[]> Model = new(StringComparer.Ordinal);
        public readonly List<Dictionary<string, byte[]>> History = [new(StringComparer.Ordinal)];
        public int DurableFrom;
        public readonly List<string> Log = [];
    }

    private void Run(Step[][] writerSteps, Step[] adminSteps, int[] imageAfterTicks)
    {
        var directory = _harness.NewDirectory();
        using var store = DeferredAttackHarness.OpenDeferred(directory, TimeSpan.FromMinutes(1), TempStore.ProductInline);
        var ws = store.CreateWorkspace("/w");
        for (var t = 0; t < Writers; t++) ws.CreateDirectory($"/t{t}");
        store.Flush();
        using var pause = new ReaderWriterLockSlim();
        var states = Enumerable.Range(0, Writers).Select(_ => new WriterState()).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();

        void Writer(int t)
        {
            var state = states[t];
            for (var i = 0; i < writerSteps[t].Length; i++)
            {
                var (kind, file, size) = writerSteps[t][i];
                var path = $"/t{t}/f{file}";
                pause.EnterReadLock();
                try
                {
                    var exists = state.Model.TryGetValue(path, out var current);
                    var flushed = false;
                    switch (kind)
                    {
                        case 0 or 1:
                            var bytes = TestData.Bytes(size, t * 1000 + i);
                            ws.WriteAllBytesAsync(path, bytes).GetAwaiter().GetResult();
                            state.Model[path] = bytes;
                            break;
                        case 2 when exists:
                            ws.Delete(path);
                            state.Model.Remove(path);
                            break;
                        case 3 when exists:
                        {
                            var tail = TestData.Bytes(size % 3000 + 1, t * 1000 + 500 + i);
                            using (var append = ws.OpenAppendAsync(path).GetAwaiter().GetResult()) append.Write(tail);
                            state.Model[path] = [.. current!, .. tail];
                            break;
                        }
                        case 4 when exists:
                        {
                            var length = size % (current!.Length + TempStore.SmallChunk);
                            store.Content.Truncate(ws.Ref, ws.Stat(path).Inode, length, CancellationToken.None).GetAwaiter().GetResult();
                            var truncated = new byte[length];
                            current.AsSpan(0, Math.Min(length, current.Length)).CopyTo(truncated);
                            state.Model[path] = truncated;
                            break;
                        }
                        case 5 when exists:
                        {
                            var offset = size % (current!.Length + 1);
                            var data = TestData.Bytes(size % 2000 + 1, t * 1000 + 700 + i);
                            store.Content.WriteAt(ws.Ref, ws.Stat(path).Inode, offset, data, CancellationToken.None).GetAwaiter().GetResult();
                            var edited = new byte[Math.Max(current.Length, offset + data.Length)];
                            current.CopyTo(edited, 0);
                            data.CopyTo(edited, offset);
                            state.Model[path] = edited;
                            break;
                        }
                        case 6:
                            store.Flush();
                            flushed = true;
                            break;
                    }
                    state.Log.Add($"{i}:{kind}/{file}/{size}");
                    state.History.Add(new(state.Model, StringComparer.Ordinal));
                    if (flushed) state.DurableFrom = state.History.Count - 1;
                }
                catch (Exception e)
                {
                    failures.Enqueue($"writer {t} step {i} ({kind}/{file}/{size}): {e.GetType().Name}: {e.Message}");
                    return;
                }
                finally
                {
                    pause.ExitReadLock();
                }
            }
        }

        void Admin()
        {
            var pins = new List<SnapshotPin>();
            var clones = 0;
            for (var i = 0; i < adminSteps.Length; i++)
            {
                var (kind, _, size) = adminSteps[i];
                pause.EnterReadLock();
                try
                {
                    switch (kind)
                    {
                        case 0:
                            pins.Add(store.Snapshot("/w"));
                            break;
                        case 1 when pins.Count > 0:
                            store.Clone(pins[size % pins.Count], $"/c{clones++}");
                            break;
                        case 2:
                            store.Clone("/w", $"/c{clones++}");
                            break;
                        case 3 when clones >= 2:
                        {
                            var fork = store.OpenWorkspace($"/c{clones - 1}");
                            fork.WriteAllBytesAsync($"/fork{i}", TestData.Bytes(size, 9000 + i)).GetAwaiter().GetResult();
                            store.Promote($"/c{clones - 1}", $"/c{clones - 2}");
                            break;
                        }
                        case 4 when clones >= 1 && store.WorkspaceExists($"/c{clones - 1}"):
                        {
                            var clone = store.OpenWorkspace($"/c{clones - 1}");
                            var pin = clone.Snapshot();
                            clone.WriteAllBytesAsync($"/later{i}", TestData.Bytes(size, 9500 + i)).GetAwaiter().GetResult();
                            clone.Rollback(pin);
                            store.ReleaseSnapshot(pin.Id);
                            break;
                        }
                        case 5 when clones >= 1 && store.WorkspaceExists($"/c{size % clones}"):
                            store.DeleteWorkspace($"/c{size % clones}");
                            break;
                        case 6 when pins.Count > 0:
                        {
                            var at = size % pins.Count;
                            store.ReleaseSnapshot(pins[at].Id);
                            pins.RemoveAt(at);
                            break;
                        }
                        case 7:
                            store.CollectGarbage(GcMode.Incremental);
                            break;
                        case 8:
                            store.CollectGarbage(GcMode.Full);
                            break;
                    }
                }
                catch (Exception e) when (kind is 3 && e is NoKVException)
                {
                    // A promote may meet a conflict or a deleted workspace: not this suite's concern.
                }
                catch (Exception e)
                {
                    failures.Enqueue($"admin step {i} ({kind}/{size}): {e.GetType().Name}: {e.Message}");
                    return;
                }
                finally
                {
                    pause.ExitReadLock();
                }
            }
        }

        var threads = Enumerable.Range(0, Writers).Select(t => new Thread(() => Writer(t))).Append(new Thread(Admin)).ToList();
        threads.ForEach(th => th.Start());
        var ticks = 0;
        foreach (var at in imageAfterTicks)
        {
            while (ticks < at && threads.Any(th => th.IsAlive))
            {
                Thread.Sleep(2);
                ticks++;
            }
            pause.EnterWriteLock(); // every thread is between operations: nothing commits while the files are copied
            try
            {
                CheckImage(directory, states);
            }
            finally
            {
                pause.ExitWriteLock();
            }
        }
        threads.ForEach(th => th.Join());
        if (!failures.IsEmpty) throw new InvalidOperationException(string.Join("\n", failures));
        CheckImage(directory, states);
        var report = store.Verify();
        if (!report.IsHealthy) throw new InvalidOperationException("live store unhealthy: " + string.Join("; ", report.Problems.Take(5)));
    }

    private void CheckImage(string directory, WriterState[] states)
    {
        var image = _harness.OpenCrashImage(directory);
        var report = image.Verify();
        if (!report.IsHealthy) throw new InvalidOperationException("crash image unhealthy: " + string.Join("; ", report.Problems.Take(5)));
        var shown = DeferredAttackHarness.Files(image, "/w");
        for (var t = 0; t < states.Length; t++)
        {
            var prefix = $"/t{t}/";
            var mine = shown.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            var state = states[t];
            if (!state.History.Skip(state.DurableFrom).Any(h => DeferredAttackHarness.Same(h, mine)))
            {
                var older = state.History.Take(state.DurableFrom).Any(h => DeferredAttackHarness.Same(h, mine));
                throw new InvalidOperationException(
                    $"writer {t}: the crash image shows {DeferredAttackHarness.Describe(mine)}, {(older ? "older than its last flush" : "no state of its history")}; " +
                    $"flushed at step {state.DurableFrom} of {state.History.Count - 1}; steps: {string.Join(" ", state.Log)}");
            }
        }
    }
}
