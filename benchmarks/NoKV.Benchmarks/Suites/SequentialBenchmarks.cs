using BenchmarkDotNet.Attributes;

namespace NoKV.Benchmarks.Suites;

/// <summary>Sequential write (durable, local block store) and read of a 64 MiB file, in 1 MiB calls.</summary>
[MemoryDiagnoser]
public class SequentialBenchmarks
{
    private const int Mib = 64;
    private readonly byte[] _buffer = new byte[1024 * 1024];
    private string _root = "";
    private WorkspaceStore _store = null!;
    private Workspace _ws = null!;
    private int _counter;

    /// <summary>Opens a durable local store with one file to read.</summary>
    [GlobalSetup]
    public void Setup()
    {
        new Random(5).NextBytes(_buffer);
        _root = Path.Combine(Path.GetTempPath(), "nokv-bdn-io-" + Guid.NewGuid().ToString("N"));
        _store = WorkspaceStore.Open(_root);
        _ws = _store.CreateWorkspace("/io");
        Write("/read-me").GetAwaiter().GetResult();
    }

    /// <summary>Removes the store.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Writes 64 MiB and publishes it (each 4 MiB block fsynced).</summary>
    [Benchmark]
    public async Task WriteDurable()
    {
        var path = $"/w-{_counter++}";
        await Write(path);
        _ws.Delete(path);
        await _store.CollectGarbageAsync();
    }

    /// <summary>Reads 64 MiB, checksums verified.</summary>
    [Benchmark]
    public async Task<long> Read()
    {
        await using var stream = _ws.OpenRead("/read-me");
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(_buffer)) > 0) total += n;
        return total;
    }

    private async Task Write(string path)
    {
        await using var stream = _ws.OpenWrite(path);
        for (var i = 0; i < Mib; i++) await stream.WriteAsync(_buffer);
    }
}
