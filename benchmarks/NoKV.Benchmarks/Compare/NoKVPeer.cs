namespace NoKV.Benchmarks.Compare;

/// <summary>NoKV on its embedded local store, durable, as an orchestrator would run it.</summary>
internal sealed class NoKVPeer(string root) : IPeer
{
    private WorkspaceStore? _store;
    private SnapshotPin? _pin;
    private long _baseBytes;

    public string Name => "nokv";

    private WorkspaceStore Store => _store!;

    public void Setup(string source)
    {
        _store = WorkspaceStore.Open(Path.Combine(root, "store"));
        Store.CreateWorkspace("/base").ImportAsync(source).GetAwaiter().GetResult();
        _pin = Store.Snapshot("/base");
        _baseBytes = Shell.DiskUsage([Path.Combine(root, "store")]);
    }

    public void Fork(int i) => Store.Clone(_pin!, $"/forks/{i}");

    public int WriteAndListChanges(int i, IReadOnlyList<(string Path, byte[] Data)> writes)
    {
        var ws = Store.OpenWorkspace($"/forks/{i}");
        foreach (var (path, data) in writes) ws.WriteAllBytesAsync(path, data).GetAwaiter().GetResult();
        return Store.Diff(_pin!, $"/forks/{i}").Count;
    }

    public void Rollback(int i) => Store.Rollback($"/forks/{i}", _pin!.Id);

    public long ForkDiskBytes() => Shell.DiskUsage([Path.Combine(root, "store")]) - _baseBytes;

    public void Dispose() => _store?.Dispose();
}
