using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;

namespace NoKV.Benchmarks;

/// <summary>
/// Large-file I/O at disk speed (issue 15, items 4 and 5): a durable sequential write of one file
/// through NoKV against dd conv=fsync and a FileStream flushed to disk; cold and warm sequential
/// reads against a FileStream read of a same-size file; and the peak working set of a process that
/// writes and reads one very large file. Rows alternate round by round, so drift on a shared
/// machine hits every side alike; the table shows medians and NoKV's ratio to each peer.
/// </summary>
/// <remarks>
/// A cold read starts after <c>sync; echo 3 &gt; /proc/sys/vm/drop_caches</c> (root only; if the
/// kernel refuses, the runner says so and falls back to dd iflag=nocache per file). The
/// <c>--diagnose</c> rows read the store's block files directly (no NoKV code), which separates what
/// the one-file-per-block layout costs from what NoKV's read path costs.
/// </remarks>
internal static class BigIoRunner
{
    private const int IoBuffer = 1024 * 1024;

    public static async Task<int> RunAsync(Args args)
    {
        if (args.Value("--peak-child") is { } childDir) return await PeakChildAsync(childDir, args);
        var mib = args.Int("--mib", 1024);
        var rounds = args.Int("--rounds", 3);
        var chunkMib = args.Int("--chunk-mib", 4);
        var peakMib = args.Int("--peak-mib", 10 * 1024);
        var diagnose = args.Value("--diagnose") is not null;
        var root = args.Value("--dir") ?? Path.Combine(Path.GetTempPath(), "nokv-bigio-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        Console.WriteLine($"NoKV big-I/O runner: {mib} MiB file, {chunkMib} MiB chunks, {rounds} rounds, {Environment.ProcessorCount} cores, {root}");
        var dropCaches = CanDropCaches();
        Console.WriteLine(dropCaches ? "cold reads: page cache dropped (echo 3 > /proc/sys/vm/drop_caches) before each" : "cold reads: drop_caches refused (not root?); falling back to dd iflag=nocache per file");
        try
        {
            var samples = new Samples();
            await RunRoundsAsync(root, mib, chunkMib, rounds, dropCaches, diagnose, samples);
            samples.Print(mib);
            if (peakMib > 0) await RunPeakAsync(root, peakMib, chunkMib);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        return 0;
    }

    private static async Task RunRoundsAsync(string root, int mib, int chunkMib, int rounds, bool dropCaches, bool diagnose, Samples samples)
    {
        var data = new byte[IoBuffer];
        new Random(3).NextBytes(data); // random bytes: a zero chunk would be stored as nothing
        var storeDir = Path.Combine(root, "store");
        await using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = storeDir, ChunkSize = chunkMib * 1024 * 1024 });
        var ws = store.CreateWorkspace("/io");
        var source = Path.Combine(root, "random-source");
        await using (var file = new FileStream(source, FileMode.Create, FileAccess.Write))
        {
            for (var i = 0; i < mib; i++) await file.WriteAsync(data);
        }
        for (var round = 0; round < rounds; round++)
        {
            var path = $"/big-{round}";
            var ddFile = Path.Combine(root, $"dd-{round}");
            var rawFile = Path.Combine(root, $"raw-{round}");
            var writes = new (string Peer, Func<Task> Write)[]
            {
                ("nokv", async () =>
                {
                    await using var stream = ws.OpenWrite(path);
                    for (var i = 0; i < mib; i++) await stream.WriteAsync(data);
                }),
                // dd copies a file of random bytes (read into the page cache first, untimed): on this
                // machine kind's virtual disk, writing zeros (if=/dev/zero) runs at a fifth of the speed.
                ("dd bs=4M conv=fsync", () =>
                {
                    Compare.Shell.Run(root, "dd", $"if={source}", $"of={ddFile}", "bs=4M", "conv=fsync", "status=none");
                    return Task.CompletedTask;
                }),
                ("FileStream+fsync", async () =>
                {
                    await using var file = new FileStream(rawFile, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
                    for (var i = 0; i < mib; i++) await file.WriteAsync(data);
                    file.Flush(flushToDisk: true);
                }),
            };
            // In an order that rotates round by round, each after a sync (the last round's deletes
            // and the page cache's dirty pages are written out first, not during a timed write).
            for (var k = 0; k < writes.Length; k++)
            {
                var (peer, write) = writes[(k + round) % writes.Length];
                await ReadLoopAsync(OpenRaw(source));
                Compare.Shell.Run("/", "sync");
                samples.Add("write", peer, await TimeAsync(write));
            }
            File.Delete(ddFile);

            var blockFiles = BlockFilesInOrder(Path.Combine(storeDir, "blocks"));
            var cold = new (string Peer, Func<Task> Read)[]
            {
                ("nokv ReadAsync 1 MiB", () => ReadLoopAsync(ws.OpenRead(path))),
                ("nokv CopyToAsync", () => CopyAsync(ws.OpenRead(path))),
                ("FileStream ReadAsync 1 MiB", () => ReadLoopAsync(OpenRaw(rawFile))),
                ("FileStream CopyToAsync", () => CopyAsync(OpenRaw(rawFile))),
            };
            var diagnostics = diagnose
                ? new (string Peer, Func<Task> Read)[]
                {
                    ("diag: block files, 1 at a time", () => ReadBlockFiles(blockFiles, hash: false)),
                    ("diag: block files + XxHash3", () => ReadBlockFiles(blockFiles, hash: true)),
                    ("diag: block files, 4 threads", () => ReadBlockFilesParallel(blockFiles, 4)),
                    ("diag: block files, WILLNEED 2 ahead", () => ReadBlockFilesAdvised(blockFiles, 2)),
                    ("diag: block files, WILLNEED 8 ahead", () => ReadBlockFilesAdvised(blockFiles, 8)),
                }
                : [];
            // Read every file once first: the virtual disk's host caches what was read before, so
            // a file read for the first time since it was written is slower whichever side it is.
            // Every cold row then starts from an empty guest page cache and a warm host, in an
            // order that rotates round by round.
            foreach (var (_, read) in cold) await read();
            var coldRows = cold.Concat(diagnostics).ToArray();
            for (var k = 0; k < coldRows.Length; k++)
            {
                var (peer, read) = coldRows[(k + round) % coldRows.Length];
                DropPageCache(dropCaches, blockFiles.Append(rawFile));
                samples.Add("read cold", peer, await TimeAsync(read));
            }
            foreach (var (peer, read) in cold.Concat(diagnostics))
            {
                await read(); // warm it (a cold read above may have been of another file)
                samples.Add("read warm", peer, await TimeAsync(read));
            }
            ws.Delete(path);
            store.CollectGarbage();
            File.Delete(rawFile);
        }
    }

    private static FileStream OpenRaw(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private static async Task ReadLoopAsync(Stream stream)
    {
        await using var _ = stream;
        var buffer = new byte[IoBuffer];
        while (await stream.ReadAsync(buffer) > 0) { }
    }

    private static async Task CopyAsync(Stream stream)
    {
        await using var _ = stream;
        await stream.CopyToAsync(Stream.Null, IoBuffer);
    }

    /// <summary>What the layout alone allows: each block file opened and read whole, in chunk order.</summary>
    private static readonly byte[] BlockBuffer = new byte[64 * 1024 * 1024 + 1];

    private static Task ReadBlockFiles(string[] files, bool hash)
    {
        var buffer = BlockBuffer;
        foreach (var file in files)
        {
            using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            int total = 0, n;
            while ((n = RandomAccess.Read(handle, buffer.AsSpan(total), total)) > 0) total += n;
            if (hash) XxHash3.HashToUInt64(buffer.AsSpan(0, total));
        }
        return Task.CompletedTask;
    }

    private static Task ReadBlockFilesParallel(string[] files, int threads)
    {
        var next = -1;
        var workers = Enumerable.Range(0, threads).Select(_ => Task.Run(() =>
        {
            var buffer = new byte[4 * 1024 * 1024 + 1];
            int i;
            while ((i = Interlocked.Increment(ref next)) < files.Length)
            {
                using var handle = File.OpenHandle(files[i], FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
                int total = 0, n;
                while ((n = RandomAccess.Read(handle, buffer.AsSpan(total), total)) > 0) total += n;
            }
        })).ToArray();
        return Task.WhenAll(workers);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int posix_fadvise(int fd, long offset, long len, int advice);

    private static Task ReadBlockFilesAdvised(string[] files, int ahead)
    {
        var buffer = new byte[4 * 1024 * 1024 + 1];
        var handles = new Microsoft.Win32.SafeHandles.SafeFileHandle?[files.Length];
        Microsoft.Win32.SafeHandles.SafeFileHandle Open(int i)
        {
            if (handles[i] is { } h) return h;
            h = File.OpenHandle(files[i], FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            _ = posix_fadvise((int)h.DangerousGetHandle(), 0, 0, 3); // POSIX_FADV_WILLNEED
            return handles[i] = h;
        }
        for (var i = 0; i < files.Length; i++)
        {
            for (var k = i; k < Math.Min(files.Length, i + 1 + ahead); k++) Open(k);
            var handle = Open(i);
            int total = 0, n;
            while ((n = RandomAccess.Read(handle, buffer.AsSpan(total), total)) > 0) total += n;
            handle.Dispose();
        }
        return Task.CompletedTask;
    }

    private static string[] BlockFilesInOrder(string blocks) =>
        [.. Directory.EnumerateFiles(blocks, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .OrderBy(f => Path.GetDirectoryName(f), StringComparer.Ordinal)
            .ThenBy(f => long.TryParse(Path.GetFileName(f), CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue)];

    private static bool CanDropCaches()
    {
        try
        {
            File.WriteAllText("/proc/sys/vm/drop_caches", "3");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void DropPageCache(bool dropCaches, IEnumerable<string> files)
    {
        Compare.Shell.Run("/", "sync");
        if (dropCaches)
        {
            File.WriteAllText("/proc/sys/vm/drop_caches", "3");
            return;
        }
        foreach (var file in files) Compare.Shell.Run("/", "dd", $"if={file}", "iflag=nocache", "count=0", "status=none");
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The peak-memory row, in a fresh process so nothing else this runner did counts: write one
    /// file of <paramref name="mib"/> MiB through NoKV and read it back, and report the process's
    /// peak resident set (VmHWM) before the file I/O and at its end.
    /// </summary>
    private static async Task RunPeakAsync(string root, int mib, int chunkMib)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(BigIoRunner).Assembly.Location);
        foreach (var a in new[] { "bigio", "--peak-child", Path.Combine(root, "peak"), "--mib", mib.ToString(CultureInfo.InvariantCulture), "--chunk-mib", chunkMib.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        Console.Write(await child.StandardOutput.ReadToEndAsync());
        await child.WaitForExitAsync();
        if (child.ExitCode != 0) Console.WriteLine($"peak-memory child exited {child.ExitCode}");
    }

    private static async Task<int> PeakChildAsync(string directory, Args args)
    {
        var mib = args.Int("--mib", 10 * 1024);
        var chunk = args.Int("--chunk-mib", 4) * 1024 * 1024;
        var data = new byte[IoBuffer];
        new Random(5).NextBytes(data);
        await using (var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory, ChunkSize = chunk }))
        {
            var ws = store.CreateWorkspace("/peak");
            await ws.WriteAllBytesAsync("/warmup", data); // load the code paths before the baseline
            GC.Collect();
            var baseline = StatusKiB("VmRSS");
            var clock = Stopwatch.StartNew();
            await using (var stream = ws.OpenWrite("/huge"))
            {
                for (var i = 0; i < mib; i++) await stream.WriteAsync(data);
            }
            var writeSeconds = clock.Elapsed.TotalSeconds;
            var afterWrite = StatusKiB("VmHWM");
            clock.Restart();
            await ReadLoopAsync(ws.OpenRead("/huge"));
            var readSeconds = clock.Elapsed.TotalSeconds;
            var peak = StatusKiB("VmHWM");
            var bar = (4L * chunk / 1024) + (64 * 1024);
            Console.WriteLine();
            Console.WriteLine($"peak memory, {mib / 1024.0:F1} GiB file written ({mib / writeSeconds:F0} MiB/s) and read ({mib / readSeconds:F0} MiB/s) through NoKV, {chunk >> 20} MiB chunks:");
            Console.WriteLine($"  resident before the file: {baseline / 1024.0:F0} MiB; peak after the write: {afterWrite / 1024.0:F0} MiB; peak after the read: {peak / 1024.0:F0} MiB (VmHWM); managed heap now {GC.GetTotalMemory(false) >> 20} MiB");
            Console.WriteLine($"  growth over the baseline: {(peak - baseline) / 1024.0:F0} MiB; bar 4 chunks + 64 MiB = {bar / 1024} MiB: {(peak - baseline <= bar ? "met" : "missed")} (absolute peak {(peak <= bar ? "within" : "above")} it)");
        }
        return 0;
    }

    private static long StatusKiB(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
            return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return -1;
    }

    /// <summary>Seconds per (case, peer), printed as medians in MiB/s with NoKV's ratio to each peer.</summary>
    private sealed class Samples
    {
        private readonly List<(string Case, string Peer, List<double> Seconds)> _rows = [];

        public void Add(string @case, string peer, double seconds)
        {
            var row = _rows.FirstOrDefault(r => r.Case == @case && r.Peer == peer);
            if (row.Seconds is null) _rows.Add((@case, peer, [seconds]));
            else row.Seconds.Add(seconds);
        }

        public void Print(int mib)
        {
            Console.WriteLine();
            Console.WriteLine($"{"case",-11}{"peer",-33}{"MiB/s median",14}{"min",8}{"max",8}   NoKV / peer (medians)");
            foreach (var group in _rows.GroupBy(r => r.Case))
            {
                var rows = group.Select(r => (r.Peer, Rates: r.Seconds.Select(s => mib / s).Order().ToArray())).ToList();
                var nokv = rows.Where(r => r.Peer.StartsWith("nokv", StringComparison.Ordinal)).ToList();
                foreach (var (peer, rates) in rows)
                {
                    var median = Median(rates);
                    var ratio = peer.StartsWith("nokv", StringComparison.Ordinal) ? "" : string.Join(", ", nokv.Select(n => $"{Median(n.Rates) / median:P0} ({n.Peer})"));
                    Console.WriteLine($"{group.Key,-11}{peer,-33}{median,14:F0}{rates[0],8:F0}{rates[^1],8:F0}   {ratio}");
                }
            }
        }

        private static double Median(double[] sorted) =>
            sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
