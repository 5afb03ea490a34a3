using System.Diagnostics;

namespace NoKV.Benchmarks.Compare;

/// <summary>
/// Durable sequential write, then cold and warm sequential read, of one large file: NoKV's
/// local store against dd conv=fsync and a FileStream flushed to disk, three rounds, alternating.
/// </summary>
internal static class SequentialIo
{
    public static async Task<List<Measurement>> RunAsync(string root, int mib, int chunkMib, int parallelUploads)
    {
        Directory.CreateDirectory(root);
        var buffer = new byte[1024 * 1024];
        new Random(3).NextBytes(buffer);
        var samples = new Dictionary<(string Case, string Peer), List<double>>();
        void Add(string @case, string peer, double seconds) =>
            (samples.TryGetValue((@case, peer), out var list) ? list : samples[(@case, peer)] = []).Add(mib / seconds);

        await using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = Path.Combine(root, "store"), ChunkSize = chunkMib * 1024 * 1024, MaxParallelUploads = parallelUploads });
        var ws = store.CreateWorkspace("/io");
        for (var round = 0; round < 3; round++)
        {
            Add(Report.Write, "nokv", await TimeAsync(async () =>
            {
                await using var stream = ws.OpenWrite($"/big-{round}");
                for (var i = 0; i < mib; i++) await stream.WriteAsync(buffer);
            }));
            var ddFile = Path.Combine(root, $"dd-{round}");
            Add(Report.Write, "dd conv=fsync", await TimeAsync(() =>
            {
                Shell.Run(root, "dd", "if=/dev/zero", $"of={ddFile}", "bs=4M", $"count={mib / 4}", "conv=fsync", "status=none");
                return Task.CompletedTask;
            }));
            var fsFile = Path.Combine(root, $"fs-{round}");
            Add(Report.Write, "FileStream+fsync", await TimeAsync(async () =>
            {
                await using var file = new FileStream(fsFile, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
                for (var i = 0; i < mib; i++) await file.WriteAsync(buffer);
                file.Flush(flushToDisk: true);
            }));

            // Each side's natural way to read a whole file: CopyToAsync. Cold first (both files
            // dropped from the page cache: the disk is read), then warm (memory bandwidth, where
            // NoKV's checksum pass costs about as much as the copy itself).
            DropFromPageCache(Directory.EnumerateFiles(Path.Combine(root, "store", "blocks"), "*", SearchOption.AllDirectories).Append(fsFile));
            Add(Report.ColdRead, "nokv", await TimeAsync(() => ReadNoKV(ws, $"/big-{round}")));
            Add(Report.ColdRead, "FileStream", await TimeAsync(() => ReadFile(fsFile)));
            Add(Report.Read, "nokv", await TimeAsync(() => ReadNoKV(ws, $"/big-{round}")));
            Add(Report.Read, "FileStream", await TimeAsync(() => ReadFile(fsFile)));
            ws.Delete($"/big-{round}");
            store.CollectGarbage();
            File.Delete(ddFile);
            File.Delete(fsFile);
        }
        return [.. samples.Select(s => new Measurement(s.Key.Case, s.Key.Peer, 0, "MiB/s", [.. s.Value]))];
    }

    private static async Task ReadNoKV(Workspace ws, string path)
    {
        await using var stream = ws.OpenRead(path);
        await stream.CopyToAsync(Stream.Null);
    }

    private static async Task ReadFile(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await file.CopyToAsync(Stream.Null);
    }

    /// <summary>GNU dd with iflag=nocache and count=0 asks the kernel to drop a file's cached pages.</summary>
    private static void DropFromPageCache(IEnumerable<string> files)
    {
        foreach (var file in files) Shell.Run("/", "dd", $"if={file}", "iflag=nocache", "count=0", "status=none");
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalSeconds;
    }
}
