// Rough runner for the design's performance bars (the BenchmarkDotNet suite is separate work):
//   dotnet run -c Release --project benchmarks/NoKV.Benchmarks -- bars [--large N] [--reps N]
// Builds bases of 100, 1,000 and N (default 100,000) files and measures, in one run, the median
// of clone / snapshot / rollback / diff-with-10-changes / stat, then prints the ratios the bars
// are stated in. Times include the durable LMDB commit of each operation.
using System.Diagnostics;
using System.Globalization;
using NoKV;

var large = Arg("--large", 100_000);
var reps = Arg("--reps", 200);
var sizes = new[] { 100, 1_000, large }.Distinct().Order().ToArray();
var root = Path.Combine(Path.GetTempPath(), "nokv-bars-" + Guid.NewGuid().ToString("N")[..8]);
Console.WriteLine($"NoKV bars runner: sizes {string.Join(", ", sizes)} files, {reps} repetitions, {Environment.ProcessorCount} cores, {root}");

var results = new Dictionary<(string Op, int Size), double>();
try
{
    foreach (var size in sizes)
    {
        var source = Path.Combine(root, $"src-{size}");
        var build = Stopwatch.StartNew();
        TreeGenerator.Write(source, size);
        // Bulk data goes to a non-durable block store: the bars are about metadata scale, and
        // 100k fsyncs of 40-byte blocks would only measure the disk.
        await using var store = WorkspaceStore.Open(new WorkspaceStoreOptions
        {
            Directory = Path.Combine(root, $"store-{size}"),
            BlockStore = new LocalBlockStore(Path.Combine(root, $"store-{size}", "blocks"), durable: false),
        });
        var ws = store.CreateWorkspace("/base");
        await ws.ImportAsync(source);
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

static void Touch(Workspace ws, int i) => ws.WriteAllBytesAsync("/touched", BitConverter.GetBytes(i)).GetAwaiter().GetResult();

static double Measure(int reps, Action<int> op, Action<int> prepare)
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

static void Bar(string what, bool met, string value) => Console.WriteLine($"  [{(met ? "met" : "MISSED")}] {what}: {value}");

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
