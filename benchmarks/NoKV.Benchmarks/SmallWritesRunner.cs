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
        // --case NAME runs only that case (blocks, inline, deferred), without the floors: for profiling.
        var only = args.Value("--case");
        if (only is not null)
        {
            var (_, inlineOnly, durabilityOnly) = Cases.Single(c => c.Kind == only);
            var (rateOnly, batchOnly) = await MeasureAsync(Path.Combine(root, "only"), inlineOnly, durabilityOnly, args.Int("--writers", 1), seconds);
            Console.WriteLine($"{only}: {rateOnly:F0} writes/s, mean batch {batchOnly:F2}");
            Directory.Delete(root, recursive: true);
            return 0;
        }
        await ProbeCommitAsync(Path.Combine(root, "probe"));
        Console.WriteLine($"{"case",-34}{"writes/s",12}{"mean batch",12}");
        try
        {
            var results = new Dictionary<string, double>();
            // Alternating rounds, so drift on a shared machine hits both settings alike.
            for (var round = 0; round < 2; round++)
            {
                foreach (var (kind, inline, durability) in Cases)
                {
                    foreach (var writers in new[] { 1, forks })
                    {
                        var name = $"{kind}, {writers} writer{(writers == 1 ? "" : "s")}";
                        var (rate, batch) = await MeasureAsync(Path.Combine(root, $"r{round}-{kind}-{writers}"), inline, durability, writers, seconds);
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
                Console.WriteLine($"deferred / inline{suffix}: {results["deferred" + suffix] / results["inline" + suffix]:F2}x ({results["deferred" + suffix]:F0} vs {results["inline" + suffix]:F0} writes/s)");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        return 0;
    }

    /// <summary>The floor under any durable write: an LMDB commit of one small put, and a mkdir (one namespace change).</summary>
    private static async Task ProbeCommitAsync(string directory)
    {
        await using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory });
        var ws = store.CreateWorkspace("/w");
        var clock = Stopwatch.StartNew();
        var n = 0;
        for (; clock.Elapsed.TotalSeconds < 2; n++) store.Meta.Write(txn => txn.Put(NoKV.Lmdb.Db.Meta, "probe"u8.ToArray(), BitConverter.GetBytes(n)));
        Console.WriteLine($"floor: durable LMDB commit of one put: {n / clock.Elapsed.TotalSeconds:F0}/s");
        clock.Restart();
        for (n = 0; clock.Elapsed.TotalSeconds < 2; n++) store.Meta.Write(txn => { txn.Put(NoKV.Lmdb.Db.Meta, "probe"u8.ToArray(), BitConverter.GetBytes(n)); return true; }, NoKV.Lmdb.CommitMode.Ordered);
        Console.WriteLine($"floor: ordered (MDB_NOMETASYNC) LMDB commit of one put: {n / clock.Elapsed.TotalSeconds:F0}/s");
        await ProbeDeferredAsync(directory + "-deferred");
        clock.Restart();
        for (n = 0; clock.Elapsed.TotalSeconds < 2; n++) ws.CreateDirectory($"/d{n}");
        Console.WriteLine($"floor: mkdir (one namespace change): {n / clock.Elapsed.TotalSeconds:F0}/s");

        // The same namespace change from 32 forks at once, each writer on its own thread: how
        // much group commit batches when nothing but the commit is shared.
        var forks = Enumerable.Range(0, 32).Select(i => store.Clone("/w", $"/mk/{i}").Workspace).ToArray();
        var (batchesBefore, writesBefore) = store.Meta.GroupCommits;
        var done = 0L;
        clock.Restart();
        var threads = forks.Select(fork => new Thread(() =>
        {
            for (var k = 0; clock.Elapsed.TotalSeconds < 2; k++)
            {
                fork.CreateDirectory($"/m{k}");
                Interlocked.Increment(ref done);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var (batches, batched) = store.Meta.GroupCommits;
        Console.WriteLine($"mkdir from 32 forks: {done / clock.Elapsed.TotalSeconds:F0}/s, mean batch {(double)(batched - writesBefore) / Math.Max(1, batches - batchesBefore):F2}");
        // And the bare commit from 32 threads: a put each, nothing else shared.
        (batchesBefore, writesBefore) = store.Meta.GroupCommits;
        done = 0;
        clock.Restart();
        threads = Enumerable.Range(0, 32).Select(t => new Thread(() =>
        {
            for (var k = 0; clock.Elapsed.TotalSeconds < 2; k++)
            {
                store.Meta.Write(txn => txn.Put(NoKV.Lmdb.Db.Meta, System.Text.Encoding.UTF8.GetBytes($"probe{t}"), BitConverter.GetBytes(k)));
                Interlocked.Increment(ref done);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        (batches, batched) = store.Meta.GroupCommits;
        Console.WriteLine($"one put from 32 threads: {done / clock.Elapsed.TotalSeconds:F0}/s, mean batch {(double)(batched - writesBefore) / Math.Max(1, batches - batchesBefore):F2}");
    }

    /// <summary>Every byte in blocks (as before inline files); the default inline threshold; and that with deferred durability.</summary>
    private static readonly (string Kind, int Inline, Durability Durability)[] Cases =
    [
        ("blocks", 0, Durability.PerOperation),
        ("inline", new WorkspaceStoreOptions().InlineThreshold, Durability.PerOperation),
        ("deferred", new WorkspaceStoreOptions().InlineThreshold, Durability.Deferred),
    ];

    /// <summary>The floors under a deferred write: one put applied to the open batch (a hand-off to the commit thread and a nested transaction), and a mkdir.</summary>
    private static async Task ProbeDeferredAsync(string directory)
    {
        await using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory, Durability = Durability.Deferred });
        var ws = store.CreateWorkspace("/w");
        var clock = Stopwatch.StartNew();
        var n = 0;
        for (; clock.Elapsed.TotalSeconds < 2; n++) store.Meta.Write(txn => { txn.Put(NoKV.Lmdb.Db.Meta, "probe"u8.ToArray(), BitConverter.GetBytes(n)); return true; }, NoKV.Lmdb.CommitMode.Deferred);
        Console.WriteLine($"floor: deferred put (applied to the open batch): {n / clock.Elapsed.TotalSeconds:F0}/s");
        clock.Restart();
        for (n = 0; clock.Elapsed.TotalSeconds < 2; n++) ws.CreateDirectory($"/d{n}");
        Console.WriteLine($"floor: deferred mkdir: {n / clock.Elapsed.TotalSeconds:F0}/s");
    }

    private static async Task<(double Rate, double MeanBatch)> MeasureAsync(string directory, int inline, Durability durability, int writers, int seconds)
    {
        await using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory, InlineThreshold = inline, Durability = durability });
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
