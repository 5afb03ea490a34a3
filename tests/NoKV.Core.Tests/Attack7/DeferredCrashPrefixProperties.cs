using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests;

/// <summary>
/// The deferred crash rule as a property over generated schedules: writes, deletes, appends,
/// truncates and writes by inode, snapshots, rollbacks, releases, incremental and full GC, and
/// flushes, with crash images taken at generated points. Every image opens healthy and shows
/// the published state after some step at or after the last flush or snapshot (a prefix of the
/// history that holds everything made durable), never a mix and never a torn file.
/// </summary>
public sealed class DeferredCrashPrefixProperties : IDisposable
{
    private readonly DeferredAttackHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private readonly record struct Step(int Kind, int File, int Size);

    private static Gen<Step[]> Schedules() =>
        Gen.Choose(0, 15).SelectMany(kind => Gen.Choose(0, 3).SelectMany(file => Gen.Choose(0, 3 * TempStore.SmallChunk + 300).Select(size => new Step(kind, file, size))))
            .ArrayOf().Select(steps => steps.Take(60).ToArray());

    [Fact]
    public void Every_crash_image_shows_a_state_of_the_history_no_older_than_the_last_durable_point()
    {
        Prop.ForAll(Schedules().ToArbitrary(), schedule => Run(schedule, TempStore.ProductInline)).Check(Config.QuickThrowOnFailure.WithMaxTest(25));
    }

    [Fact]
    public void Every_crash_image_shows_a_state_of_the_history_with_every_chunk_in_blocks()
    {
        Prop.ForAll(Schedules().ToArbitrary(), schedule => Run(schedule, inlineThreshold: 0)).Check(Config.QuickThrowOnFailure.WithMaxTest(25));
    }

    private void Run(Step[] schedule, int inlineThreshold)
    {
        var directory = _harness.NewDirectory();
        using var store = DeferredAttackHarness.OpenDeferred(directory, TimeSpan.FromMinutes(1), inlineThreshold);
        var ws = store.CreateWorkspace("/w");
        store.Flush();
        var model = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var history = new List<Dictionary<string, byte[]>> { Copy(model) };
        var durableFrom = 0;
        var pins = new List<(SnapshotPin Pin, Dictionary<string, byte[]> State)>();
        var log = new List<string>();

        for (var i = 0; i < schedule.Length; i++)
        {
            var (kind, file, size) = schedule[i];
            var path = $"/f{file}";
            var exists = model.TryGetValue(path, out var current);
            var madeDurable = false;
            switch (kind)
            {
                case 0 or 1 or 2:
                    model[path] = TestData.Bytes(size, i);
                    ws.WriteAllBytesAsync(path, model[path]).GetAwaiter().GetResult();
                    break;
                case 3 when exists:
                    ws.Delete(path);
                    model.Remove(path);
                    break;
                case 4 when exists:
                {
                    var tail = TestData.Bytes(size % 5000 + 1, 1000 + i);
                    using (var append = ws.OpenAppendAsync(path).GetAwaiter().GetResult()) append.Write(tail);
                    model[path] = [.. current!, .. tail];
                    break;
                }
                case 5 when exists:
                {
                    var length = size % (current!.Length + 2 * TempStore.SmallChunk);
                    store.Content.Truncate(ws.Ref, ws.Stat(path).Inode, length, CancellationToken.None).GetAwaiter().GetResult();
                    var truncated = new byte[length];
                    current.AsSpan(0, Math.Min(length, current.Length)).CopyTo(truncated);
                    model[path] = truncated;
                    break;
                }
                case 6 when exists:
                {
                    var offset = size % (current!.Length + 1);
                    var data = TestData.Bytes(size % 3000 + 1, 2000 + i);
                    store.Content.WriteAt(ws.Ref, ws.Stat(path).Inode, offset, data, CancellationToken.None).GetAwaiter().GetResult();
                    var edited = new byte[Math.Max(current.Length, offset + data.Length)];
                    current.CopyTo(edited, 0);
                    data.CopyTo(edited, offset);
                    model[path] = edited;
                    break;
                }
                case 7:
                    pins.Add((ws.Snapshot(), Copy(model)));
                    madeDurable = true;
                    break;
                case 8 when pins.Count > 0:
                {
                    var (pin, state) = pins[size % pins.Count];
                    ws.Rollback(pin);
                    model = Copy(state);
                    break;
                }
                case 9 when pins.Count > 0:
                {
                    var at = size % pins.Count;
                    store.ReleaseSnapshot(pins[at].Pin.Id);
                    pins.RemoveAt(at);
                    break;
                }
                case 10:
                    store.CollectGarbage(GcMode.Incremental);
                    break;
                case 11:
                    store.CollectGarbage(GcMode.Full);
                    break;
                case 12:
                    store.Flush();
                    madeDurable = true;
                    break;
                case 13 or 14 or 15:
                    CheckImage(directory, history, durableFrom, log);
                    break;
            }
            log.Add($"{i}:{kind}/{file}/{size}");
            history.Add(Copy(model));
            if (madeDurable) durableFrom = history.Count - 1;
        }
        CheckImage(directory, history, durableFrom, log);
        var live = DeferredAttackHarness.Files(store, "/w");
        if (!DeferredAttackHarness.Same(model, live)) throw new InvalidOperationException($"live store {DeferredAttackHarness.Describe(live)} != model {DeferredAttackHarness.Describe(model)} after {string.Join(" ", log)}");
        var report = store.Verify();
        if (!report.IsHealthy) throw new InvalidOperationException("live store unhealthy: " + string.Join("; ", report.Problems.Take(5)));
    }

    private void CheckImage(string directory, List<Dictionary<string, byte[]>> history, int durableFrom, List<string> log)
    {
        var image = _harness.OpenCrashImage(directory);
        var report = image.Verify();
        if (!report.IsHealthy) throw new InvalidOperationException($"crash image unhealthy after {string.Join(" ", log)}: " + string.Join("; ", report.Problems.Take(5)));
        var shown = DeferredAttackHarness.Files(image, "/w");
        if (!history.Skip(durableFrom).Any(state => DeferredAttackHarness.Same(state, shown)))
        {
            var older = history.Take(durableFrom).Any(state => DeferredAttackHarness.Same(state, shown));
            throw new InvalidOperationException(
                $"crash image shows {DeferredAttackHarness.Describe(shown)}, {(older ? "a state older than the last flush or snapshot" : "no state of the history")}; " +
                $"durable from step {durableFrom} of {history.Count - 1}; steps: {string.Join(" ", log)}");
        }
    }

    private static Dictionary<string, byte[]> Copy(Dictionary<string, byte[]> model) => new(model, StringComparer.Ordinal);
}
