using System.Diagnostics;
using NoKV.Benchmarks.Compare;

namespace NoKV.Benchmarks;

/// <summary>
/// Getting many small files in durably (issue 15's import bar and its small-files compare row),
/// side by side in one run, peers alternating round by round:
/// <list type="bullet">
/// <item>import of a generated source tree (10,000 files by default) into a workspace, per
/// operation and deferred (with its final flush), against <c>cp -r</c> + <c>sync</c>;</item>
/// <item>1,000 files of 2 KiB written durably one by one: NoKV per operation, NoKV deferred plus
/// one flush at the end, plain files each fsynced, and plain files then <c>git add</c> +
/// <c>git commit</c>.</item>
/// </list>
/// Reports the median of the rounds in files per second and the ratios to the peers.
/// </summary>
internal static class IngestRunner
{
    public static async Task<int> RunAsync(Args args)
    {
        var files = args.Int("--files", 10_000);
        var small = args.Int("--small", 1_000);
        var rounds = args.Int("--rounds", 3);
        var root = Path.Combine(Path.GetTempPath(), "nokv-ingest-" + Guid.NewGuid().ToString("N")[..8]);
        Console.WriteLine($"NoKV ingest runner: import of {files} files, {small} durable 2 KiB files; {rounds} rounds; {Environment.ProcessorCount} cores; {root}");
        try
        {
            var source = Path.Combine(root, "source");
            TreeGenerator.Write(source, files);
            var importRates = new Dictionary<string, List<double>>();
            var smallRates = new Dictionary<string, List<double>>();
            for (var round = 0; round < rounds; round++)
            {
                var dir = Path.Combine(root, $"r{round}");
                Add(importRates, "nokv import, per operation", files / await ImportAsync(Path.Combine(dir, "imp-po"), source, Durability.PerOperation));
                Add(importRates, "nokv import, deferred", files / await ImportAsync(Path.Combine(dir, "imp-d"), source, Durability.Deferred));
                Add(importRates, "cp -r + sync", files / CopyAndSync(source, Path.Combine(dir, "cp")));

                Add(smallRates, "nokv, per operation", small / await SmallFilesAsync(Path.Combine(dir, "sm-po"), small, Durability.PerOperation));
                Add(smallRates, "nokv, deferred + flush", small / await SmallFilesAsync(Path.Combine(dir, "sm-d"), small, Durability.Deferred));
                Add(smallRates, "files + fsync each", small / FilesWithFsync(Path.Combine(dir, "sm-fs"), small));
                Add(smallRates, "files + git add + commit", small / FilesThenGitCommit(Path.Combine(dir, "sm-git"), small));
                Directory.Delete(dir, recursive: true);
                Console.WriteLine($"  round {round + 1} done");
            }
            Print($"import of {files} files (files/s, median of {rounds})", importRates, "cp -r + sync");
            Print($"{small} durable 2 KiB files (files/s, median of {rounds})", smallRates, "files + fsync each");
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
        return 0;
    }

    private static void Add(Dictionary<string, List<double>> rates, string name, double rate)
    {
        if (!rates.TryGetValue(name, out var list)) rates[name] = list = [];
        list.Add(rate);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static void Print(string title, Dictionary<string, List<double>> rates, string reference)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        var referenceRate = Median(rates[reference]);
        foreach (var (name, values) in rates)
        {
            var median = Median(values);
            Console.WriteLine($"  {name,-30}{median,12:F0}{median / referenceRate,10:F2}x of {reference}");
        }
    }

    /// <summary>Seconds to import the tree durably: per operation, every batch is durable; deferred, until the final flush returns.</summary>
    private static async Task<double> ImportAsync(string directory, string source, Durability durability)
    {
        await using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory, Durability = durability });
        var ws = store.CreateWorkspace("/base");
        var clock = Stopwatch.StartNew();
        await ws.ImportAsync(source);
        await store.FlushAsync();
        return clock.Elapsed.TotalSeconds;
    }

    private static double CopyAndSync(string source, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var clock = Stopwatch.StartNew();
        Shell.Run("/", "cp", "-r", source, target);
        Shell.Run("/", "sync");
        return clock.Elapsed.TotalSeconds;
    }

    private static byte[] Content(int i)
    {
        var bytes = new byte[2048];
        new Random(i).NextBytes(bytes);
        return bytes;
    }

    private static async Task<double> SmallFilesAsync(string directory, int count, Durability durability)
    {
        await using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory, Durability = durability });
        var ws = store.CreateWorkspace("/w");
        await store.FlushAsync();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) await ws.WriteAllBytesAsync($"/f{i}", Content(i));
        await store.FlushAsync();
        return clock.Elapsed.TotalSeconds;
    }

    private static double FilesWithFsync(string directory, int count)
    {
        Directory.CreateDirectory(directory);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            using var file = new FileStream(Path.Combine(directory, $"f{i}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
            file.Write(Content(i));
            file.Flush(flushToDisk: true);
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static double FilesThenGitCommit(string directory, int count)
    {
        Directory.CreateDirectory(directory);
        Shell.Run(directory, "git", "init", "-q");
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) File.WriteAllBytes(Path.Combine(directory, $"f{i}"), Content(i));
        Shell.Run(directory, "git", "add", "-A");
        Shell.Run(directory, "git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "core.fsync=all", "commit", "-q", "-m", "files");
        return clock.Elapsed.TotalSeconds;
    }
}
