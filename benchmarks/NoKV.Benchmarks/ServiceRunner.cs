using System.Diagnostics;
using NoKV.Client;
using NoKV.Server;

namespace NoKV.Benchmarks;

/// <summary>
/// The service layer against the in-process API on one store, side by side in one run: a small
/// call's round trip (stat, p50/p99), clone and diff (10 changes) medians, and streaming a large
/// file both ways. Bars (issue 17): stat round trip p50 &lt; 200 µs; streaming ≥ 50% of in-process.
/// </summary>
internal static class ServiceRunner
{
    public static async Task<int> RunAsync(Args args)
    {
        var files = args.Int("--files", 10_000);
        var mib = args.Int("--mib", 1024);
        var reps = args.Int("--reps", 200);
        var root = Path.Combine(Path.GetTempPath(), "nokv-svc-" + Guid.NewGuid().ToString("N")[..8]);
        Console.WriteLine($"NoKV service runner: {files} files, {mib} MiB streams, {reps} repetitions, {Environment.ProcessorCount} cores, {root}");
        var failed = 0;
        try
        {
            await using var store = await BaseTrees.ImportAsync(root, files);
            await using var server = await NoKVServer.StartAsync(store);
            await using var client = await NoKVClient.ConnectAsync(store.Directory);
            var ws = store.OpenWorkspace("/base");
            var remote = await client.OpenWorkspaceAsync("/base");
            var pin = ws.Snapshot();
            var remotePin = await client.GetSnapshotAsync(pin.Id);
            var paths = Enumerable.Range(0, 1000).Select(i => TreeGenerator.PathOf(i * 7919 % files)).ToArray();

            for (var i = 0; i < 500; i++) await remote.StatAsync(paths[i % paths.Length]); // warm up the connection and the JIT
            var localStat = await Times(20_000, i => { ws.Stat(paths[i % paths.Length]); return Task.CompletedTask; });
            var remoteStat = await Times(5_000, i => remote.StatAsync(paths[i % paths.Length]));
            Row("stat (µs)", localStat, remoteStat);

            var localClone = await Times(reps, i => { store.Clone(pin, $"/lc/{i}"); return Task.CompletedTask; });
            var remoteClone = await Times(reps, i => client.CloneAsync(remotePin, $"/rc/{i}"));
            Row("clone (µs)", localClone, remoteClone);

            var diffReps = Math.Max(10, reps / 4);
            for (var i = 0; i < diffReps; i++)
            {
                var d = store.Clone(pin, $"/d/{i}").Workspace;
                for (var k = 0; k < 10; k++) await d.WriteAllBytesAsync($"/dir{k}/changed{k}", "changed"u8.ToArray());
            }
            var localDiff = await Times(diffReps, i => { store.Diff(pin, $"/d/{i}"); return Task.CompletedTask; });
            var remoteDiff = await Times(diffReps, async i => { await foreach (var _ in client.DiffAsync(remotePin, $"/d/{i}")) { } });
            Row("diff 10 changes (µs)", localDiff, remoteDiff);

            var bytes = (long)mib << 20;
            var stream = store.CreateWorkspace("/stream");
            var remoteStream = await client.OpenWorkspaceAsync("/stream");
            var localWrite = await ThroughputAsync(bytes, async buffer =>
            {
                var output = stream.OpenWrite("/local.bin");
                await using (output) for (long done = 0; done < bytes; done += buffer.Length) await output.WriteAsync(buffer);
            });
            var remoteWrite = await ThroughputAsync(bytes, async buffer =>
            {
                var output = await remoteStream.OpenWriteAsync("/remote.bin");
                await using (output) for (long done = 0; done < bytes; done += buffer.Length) await output.WriteAsync(buffer);
            });
            var localRead = await ThroughputAsync(bytes, async buffer =>
            {
                await using var input = stream.OpenRead("/local.bin");
                while (await input.ReadAsync(buffer) > 0) { }
            });
            var remoteRead = await ThroughputAsync(bytes, async buffer =>
            {
                await using var input = await remoteStream.OpenReadAsync("/remote.bin");
                while (await input.ReadAsync(buffer) > 0) { }
            });
            Console.WriteLine($"{"stream write (MiB/s)",-24}{localWrite,24:F0}{remoteWrite,24:F0}{remoteWrite / localWrite,10:P0}");
            Console.WriteLine($"{"stream read (MiB/s)",-24}{localRead,24:F0}{remoteRead,24:F0}{remoteRead / localRead,10:P0}");

            Console.WriteLine();
            Console.WriteLine("bars");
            failed += Bar("stat round trip p50 < 200 µs", remoteStat.P50 < 200, $"{remoteStat.P50:F0} µs (p99 {remoteStat.P99:F0} µs)");
            failed += Bar("streaming write >= 50% of in-process", remoteWrite >= 0.5 * localWrite, $"{remoteWrite / localWrite:P0}");
            failed += Bar("streaming read >= 50% of in-process", remoteRead >= 0.5 * localRead, $"{remoteRead / localRead:P0}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        // Like the other runners: verdicts are printed, not an exit code (CI smoke-runs this at
        // sizes where the bars mean nothing; real figures come from full runs on a quiet machine).
        Console.WriteLine($"  {failed} bar(s) missed");
        return 0;
    }

    private readonly record struct Percentiles(double P50, double P99);

    private static async Task<Percentiles> Times(int count, Func<int, Task> operation)
    {
        var samples = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await operation(i);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(samples);
        return new(samples[count / 2], samples[Math.Min(count - 1, (int)(count * 0.99))]);
    }

    private static async Task<double> ThroughputAsync(long bytes, Func<byte[], Task> run)
    {
        var buffer = new byte[1 << 20];
        new Random(1).NextBytes(buffer);
        var start = Stopwatch.GetTimestamp();
        await run(buffer);
        return bytes / (1024.0 * 1024.0) / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static void Row(string name, Percentiles local, Percentiles remote) =>
        Console.WriteLine($"{name,-24}{$"{local.P50:F1} / {local.P99:F1}",24}{$"{remote.P50:F1} / {remote.P99:F1}",24}{remote.P50 / local.P50,9:F1}x   (in-process | client, p50 / p99)");

    private static int Bar(string what, bool met, string figure)
    {
        Console.WriteLine($"  [{(met ? "MET" : "MISSED")}] {what}: {figure}");
        return met ? 0 : 1;
    }
}
