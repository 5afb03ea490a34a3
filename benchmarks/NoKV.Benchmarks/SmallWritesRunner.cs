using System.Diagnostics;

namespace NoKV.Benchmarks;

/// <summary>
/// Durable small writes (issue 15's first bars): 2 KiB files written with WriteAllBytesAsync by
/// one writer, and by many forks at once, each with blocks for every file (InlineThreshold 0,
/// as before inline files) and with the default inline threshold, side by side in one run.
/// Reports writes per second, the ratio of the two, and the mean group-commit batch size.
/// </summary>
internal static class SmallWritesRunner
{
    public static async Task<int> RunAsync(Args args)
    {
        var seconds = args.Int("--seconds", 5);
        var forks = args.Int("--forks", 32);
        var root = Path.Combine(Path.GetTempPath(), "nokv-small-" + Guid.NewGuid().ToString("N")[..8]);
        Console.WriteLine($"NoKV small-writes runner: 2 KiB durable writes, {seconds} s per case, {forks} forks, {Environment.ProcessorCount} cores, {root}");
        Console.WriteLine($"{"case",-34}{"writes/s",12}{"mean batch",12}");
        try
        {
            var results = new Dictionary<string, double>();
            // Alternating rounds, so drift on a shared machine hits both settings alike.
            for (var round = 0; round < 2; round++)
            {
                foreach (var inline in new[] { 0, new WorkspaceStoreOptions().InlineThreshold })
                {
                    foreach (var writers in new[] { 1, forks })
                    {
                        var name = $"{(inline == 0 ? "blocks" : "inline")}, {writers} writer{(writers == 1 ? "" : "s")}";
                        var (rate, batch) = await MeasureAsync(Path.Combine(root, $"r{round}-{inline}-{writers}"), inline, writers, seconds);
                        results[name] = results.GetValueOrDefault(name) + rate / 2;
                        Console.WriteLine($"{name + $" (round {round + 1})",-34}{rate,12:F0}{batch,12:F2}");
                    }
                }
            }
            Console.WriteLine();
            foreach (var writers in new[] { 1, forks })
            {
                var suffix = $", {writers} writer{(writers == 1 ? "" : "s")}";
                Console.WriteLine($"inline / blocks{suffix}: {results["inline" + suffix] / results["blocks" + suffix]:F2}x ({results["inline" + suffix]:F0} vs {results["blocks" + suffix]:F0} writes/s)");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        return 0;
    }

    private static async Task<(double Rate, double MeanBatch)> MeasureAsync(string directory, int inline, int writers, int seconds)
    {
        await using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory, InlineThreshold = inline });
        var baseWs = store.CreateWorkspace("/base");
        await baseWs.WriteAllBytesAsync("/seed", new byte[1]);
        var workspaces = Enumerable.Range(0, writers).Select(i => store.Clone("/base", $"/forks/{i}").Workspace).ToArray();
        var data = new byte[2048];
        Random.Shared.NextBytes(data);
        var (batchesBefore, writesBefore) = store.Meta.GroupCommits;
        var deadline = Stopwatch.StartNew();
        var counts = new long[writers];
        // Each writer on its own thread: a write blocks on the commit, and the pool would pace new threads.
        var threads = Enumerable.Range(0, writers).Select(w => new Thread(() =>
        {
            var ws = workspaces[w];
            for (var n = 0; deadline.Elapsed.TotalSeconds < seconds; n++)
            {
                ws.WriteAllBytesAsync($"/f{n}", data).GetAwaiter().GetResult();
                counts[w]++;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var elapsed = deadline.Elapsed.TotalSeconds;
        var (batches, batched) = store.Meta.GroupCommits;
        return (counts.Sum() / elapsed, (double)(batched - writesBefore) / Math.Max(1, batches - batchesBefore));
    }
}
