using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace NoKV.Benchmarks.Compare;

/// <summary>
/// NoKV side by side with what agent sandboxes use today, in one run on one machine: fork K
/// workspaces off a base tree, write 10 files in each and list what changed, roll each back,
/// measure disk used; then sequential durable write and read. Peers alternate fork by fork, so
/// drift on a shared machine hits all of them alike. Writes a table to the console, and JSON
/// and an SVG chart (time per fork against tree size) to --out.
/// </summary>
internal static class CompareRunner
{
    public static async Task<int> RunAsync(Args args)
    {
        var sizes = args.Ints("--files", [100, 1_000, 10_000]);
        var forks = args.Int("--forks", 100);
        var ioMib = args.Int("--io-mib", 1024);
        var chunkMib = args.Int("--chunk-mib", 4);
        var parallelUploads = args.Int("--parallel-uploads", 4);
        var output = Path.GetFullPath(args.Value("--out") ?? Path.Combine("benchmarks", "results"));
        var root = Path.Combine(Path.GetTempPath(), "nokv-compare-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(output);
        Console.WriteLine($"compare: base trees of {string.Join(", ", sizes)} files (+3 x 4 MiB data files), {forks} forks, {ioMib} MiB sequential I/O in {chunkMib} MiB chunks ({parallelUploads} uploads at once); {Environment.ProcessorCount} cores; scratch {root}");

        var results = new List<Measurement>();
        try
        {
            foreach (var size in sizes) results.AddRange(RunForks(Path.Combine(root, $"f{size}"), size, forks));
            results.AddRange(await SequentialIo.RunAsync(Path.Combine(root, "io"), ioMib, chunkMib, parallelUploads));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }

        Report.Print(results, sizes, forks, ioMib);
        var json = JsonSerializer.Serialize(results.Select(r => new { r.Case, r.Peer, r.Files, r.Unit, r.Median, r.Min, r.Max, Samples = r.Samples.Length }), JsonOptions);
        await File.WriteAllTextAsync(Path.Combine(output, "compare.json"), json);
        await File.WriteAllTextAsync(Path.Combine(output, "compare.svg"), SvgChart.Render(
            $"Fork, write 10 files, list changes: time per fork ({forks} forks)", "milliseconds per fork (median)",
            results.Where(r => r.Case == Report.Workflow).GroupBy(r => r.Peer)
                .Select(g => (g.Key, (IReadOnlyList<(double, double)>)g.Select(r => ((double)r.Files, r.Median)).ToList())).ToList()));
        Console.WriteLine($"wrote {Path.Combine(output, "compare.json")} and compare.svg");
        return 0;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private static List<Measurement> RunForks(string root, int files, int forks)
    {
        var source = Path.Combine(root, "source");
        TreeGenerator.Write(source, files);
        var random = new Random(1);
        var data = new byte[4 * 1024 * 1024];
        Directory.CreateDirectory(Path.Combine(source, "data"));
        for (var i = 0; i < 3; i++)
        {
            random.NextBytes(data);
            File.WriteAllBytes(Path.Combine(source, "data", $"weights-{i}.bin"), data);
        }

        IPeer[] peers = [new NoKVPeer(Path.Combine(root, "nokv")), new GitWorktreePeer(Path.Combine(root, "git")), new CopyPeer(Path.Combine(root, "cp"))];
        foreach (var peer in peers)
        {
            Directory.CreateDirectory(Path.Combine(root, peer.Name == "nokv" ? "nokv" : peer.Name == "git worktree" ? "git" : "cp"));
            peer.Setup(source);
        }

        var fork = peers.ToDictionary(p => p, _ => new double[forks]);
        var change = peers.ToDictionary(p => p, _ => new double[forks]);
        var rollback = peers.ToDictionary(p => p, _ => new double[forks]);
        for (var i = 0; i < forks; i++)
        {
            foreach (var peer in peers) fork[peer][i] = Time(() => peer.Fork(i));
        }
        for (var i = 0; i < forks; i++)
        {
            var writes = Enumerable.Range(0, 10).Select(k => (TreeGenerator.PathOf((i * 10 + k) * 7 % files), System.Text.Encoding.UTF8.GetBytes($"agent {i} change {k}\n"))).DistinctBy(w => w.Item1).ToList();
            foreach (var peer in peers)
            {
                var seen = 0;
                change[peer][i] = Time(() => seen = peer.WriteAndListChanges(i, writes));
                if (seen != writes.Count) throw new InvalidOperationException($"{peer.Name} saw {seen} changes for {writes.Count} writes");
            }
        }
        var disk = peers.ToDictionary(p => p, p => p.ForkDiskBytes());
        for (var i = 0; i < forks; i++)
        {
            foreach (var peer in peers) rollback[peer][i] = Time(() => peer.Rollback(i));
        }
        foreach (var peer in peers) peer.Dispose();
        Console.WriteLine($"  {files} files: done");

        return [.. peers.SelectMany(p => new[]
        {
            new Measurement(Report.Fork, p.Name, files, "ms", fork[p]),
            new Measurement(Report.Change, p.Name, files, "ms", change[p]),
            new Measurement(Report.Workflow, p.Name, files, "ms", [.. fork[p].Zip(change[p], (a, b) => a + b)]),
            new Measurement(Report.Rollback, p.Name, files, "ms", rollback[p]),
            new Measurement(Report.Disk, p.Name, files, "MiB", [disk[p] / 1048576.0]),
        })];
    }

    internal static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }
}
