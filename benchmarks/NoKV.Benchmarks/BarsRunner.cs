using System.Diagnostics;

namespace NoKV.Benchmarks;

/// <summary>
/// The design's in-process bars: median clone / snapshot / rollback / diff-with-10-changes /
/// stat at 100, 1,000 and N files, and the ratios the bars are stated in. Times include each
/// operation's durable LMDB commit.
/// </summary>
internal static class BarsRunner
{
    public static async Task<int> RunAsync(Args args)
    {
        var large = args.Int("--large", 100_000);
        var reps = args.Int("--reps", 200);
        var sizes = new[] { 100, 1_000, large }.Distinct().Order().ToArray();
        var root = Path.Combine(Path.GetTempPath(), "nokv-bars-" + Guid.NewGuid().ToString("N")[..8]);
        Console.WriteLine($"NoKV bars runner: sizes {string.Join(", ", sizes)} files, {reps} repetitions, {Environment.ProcessorCount} cores, {root}");

        var results = new Dictionary<(string Op, int Size), double>();
        try
        {
            foreach (var size in sizes)
            {
                var build = Stopwatch.StartNew();
                await using var store = await BaseTrees.ImportAsync(Path.Combine(root, $"s{size}"), size);
                var ws = store.OpenWorkspace("/base");
                var pin = ws.Snapshot();
                Console.WriteLine($"  base of {size} files built in {build.Elapsed.TotalSeconds:F1} s");

                results[("clone", size)] = Measure(reps, i => store.Clone(pin, $"/c/{i}"), _ => { });
                results[("snapshot", size)] = Measure(reps, _ => ws.Snapshot(), i => Touch(ws, i));
                var fork = store.Clone(pin, "/fork/r").Workspace;
                results[("rollback", size)] = Measure(reps, _ => fork.Rollback(pin), i => Touch(fork, i));
                results[("diff 10 changes", size)] = Measure(Math.Max(10, reps / 4), i => store.Diff(pin, $"/d/{i}"), i =>
                {
                    var d = store.Clone(pin, $"/d/{i}").Workspace;
                    for (var k = 0; k < 10; k++) d.WriteAllBytesAsync($"/dir{k % 10}/file{k}", "changed"u8.ToArray()).GetAwaiter().GetResult();
                });
                var paths = Enumerable.Range(0, 1000).Select(i => TreeGenerator.PathOf(i * 7919 % size)).ToArray();
                results[("stat", size)] = Measure(10_000, i => ws.Stat(paths[i % paths.Length]), _ => { });
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        Console.WriteLine();
        Console.WriteLine($"{"operation (median µs)",-24}" + string.Concat(sizes.Select(s => $"{s + " files",14}")));
        foreach (var op in results.Keys.Select(k => k.Op).Distinct())
        {
            Console.WriteLine($"{op,-24}" + string.Concat(sizes.Select(s => $"{results[(op, s)],14:F1}")));
        }
        Console.WriteLine();
        Console.WriteLine("bars");
        foreach (var op in new[] { "clone", "snapshot", "rollback" })
        {
            Bar($"{op} median < 1 ms at {large} files", results[(op, large)] < 1000, $"{results[(op, large)]:F0} µs");
            var ratio = results[(op, large)] / results[(op, 100)];
            Bar($"{op} time({large}) / time(100) < 2", ratio < 2, $"{ratio:F2}");
        }
        var diffRatio = results[("diff 10 changes", large)] / results[("diff 10 changes", 1_000)];
        Bar($"diff (10 changes) time({large}) / time(1000) < 2", diffRatio < 2, $"{diffRatio:F2}");
        Bar($"stat p50 < 10 µs at {large} files", results[("stat", large)] < 10, $"{results[("stat", large)]:F1} µs");
        return 0;
    }

    private static void Touch(Workspace ws, int i) => ws.WriteAllBytesAsync("/touched", BitConverter.GetBytes(i)).GetAwaiter().GetResult();

    private static double Measure(int reps, Action<int> op, Action<int> prepare)
    {
        for (var i = reps; i < reps + Math.Min(10, reps); i++) { prepare(i); op(i); } // warm-up, with indexes of its own
        var times = new double[reps];
        for (var i = 0; i < reps; i++)
        {
            prepare(i);
            var clock = Stopwatch.StartNew();
            op(i);
            times[i] = clock.Elapsed.TotalMicroseconds;
        }
        Array.Sort(times);
        return times[reps / 2];
    }

    private static void Bar(string what, bool met, string value) => Console.WriteLine($"  [{(met ? "met" : "MISSED")}] {what}: {value}");
}
