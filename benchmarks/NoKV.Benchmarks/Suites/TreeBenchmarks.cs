using BenchmarkDotNet.Attributes;

namespace NoKV.Benchmarks.Suites;

/// <summary>
/// Metadata operations against a base tree of 100, 10k and 100k files: each should cost the
/// same at every size (clone, snapshot, rollback, stat, diff of 10 changes), or grow only with
/// the directory listed (list). Each operation includes its durable LMDB commit.
/// </summary>
[MemoryDiagnoser]
public class TreeBenchmarks
{
    private string _root = "";
    private WorkspaceStore _store = null!;
    private Workspace _base = null!;
    private SnapshotPin _pin = null!;
    private Workspace _fork = null!;
    private string _diffFork = "";
    private int _counter;

    /// <summary>Files in the base tree.</summary>
    [Params(100, 10_000, 100_000)]
    public int Files { get; set; }

    /// <summary>Builds the base (not measured).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), $"nokv-bdn-{Files}-{Guid.NewGuid():N}");
        _store = BaseTrees.ImportAsync(_root, Files).GetAwaiter().GetResult();
        _base = _store.OpenWorkspace("/base");
        _pin = _base.Snapshot();
        _fork = _store.Clone(_pin, "/fork").Workspace;
        var diff = _store.Clone(_pin, "/diff").Workspace;
        for (var k = 0; k < 10; k++) diff.WriteAllBytesAsync(TreeGenerator.PathOf(k * 7 % Files), "changed"u8.ToArray()).GetAwaiter().GetResult();
        _diffFork = diff.Path;
    }

    /// <summary>Removes the store.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>A new fork of the pinned base.</summary>
    [Benchmark]
    public CloneHandle Clone() => _store.Clone(_pin, $"/c/{_counter++}");

    /// <summary>A snapshot of a workspace with one new write (so a layer is frozen).</summary>
    [Benchmark]
    public SnapshotPin Snapshot()
    {
        _fork.WriteAllBytesAsync("/touched", BitConverter.GetBytes(_counter++)).GetAwaiter().GetResult();
        return _fork.Snapshot();
    }

    /// <summary>A rollback of a fork to the base snapshot.</summary>
    [Benchmark]
    public void Rollback() => _fork.Rollback(_pin);

    /// <summary>The diff of a fork with 10 changed files against the base snapshot.</summary>
    [Benchmark]
    public IReadOnlyList<SubtreeDelta> Diff10Changes() => _store.Diff(_pin, _diffFork);

    /// <summary>Stat of a file three directories deep.</summary>
    [Benchmark]
    public NodeInfo Stat() => _base.Stat(TreeGenerator.PathOf(_counter++ % Files));

    /// <summary>Listing one directory (Files / 1000 entries at most).</summary>
    [Benchmark]
    public IReadOnlyList<NodeInfo> List() => _base.List("/dir1/sub1");

    /// <summary>Creating a small file (block write with fsync, then a durable commit).</summary>
    [Benchmark]
    public Task CreateSmallFile() => _fork.WriteAllBytesAsync($"/new-{_counter++}", "small file contents"u8.ToArray());
}
