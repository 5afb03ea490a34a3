using Microsoft.Extensions.AI;
using NoKV.AI;

namespace NoKV.Cli.Mcp;

/// <summary>The fork host over a store this process opened.</summary>
internal sealed class LocalForkHost(WorkspaceStore store) : IForkHost, IAsyncDisposable
{
    private readonly Dictionary<string, WorkspaceMount> _mounts = new(StringComparer.Ordinal);
    // Mounting and dropping await; the SDK may run two calls at once, and a fork is mounted once.
    private readonly SemaphoreSlim _mountGate = new(1, 1);

    public long Fork(string basePath, string forkPath) => store.Clone(basePath, forkPath).SnapshotId;

    public bool Exists(string forkPath) => store.ListWorkspaces().Any(w => w.Path == forkPath);

    public IReadOnlyList<string> ListForks(string prefix) =>
        [.. store.ListWorkspaces().Select(w => w.Path).Where(p => p.StartsWith(prefix + "/", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    public IReadOnlyList<AIFunction> CreateTools(string forkPath, WorkspaceToolOptions options) =>
        WorkspaceTools.Create(store.OpenWorkspace(forkPath), options);

    public SnapshotPin GetSnapshot(long snapshotId) => store.GetSnapshot(snapshotId);

    public PromoteResult Promote(string forkPath, string targetPath, PromoteStrategy strategy, CancellationToken cancellationToken) =>
        store.Promote(forkPath, targetPath, new PromoteOptions { Strategy = strategy }, cancellationToken);

    public async Task DropAsync(string forkPath, long? baseSnapshotId)
    {
        await _mountGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_mounts.Remove(forkPath, out var mount)) await mount.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _mountGate.Release();
        }
        var pins = store.ListSnapshots(forkPath);
        store.DeleteWorkspace(forkPath);
        foreach (var pin in pins) store.ReleaseSnapshot(pin.Id);
        if (baseSnapshotId is { } id && store.ListSnapshots().Any(p => p.Id == id)) store.ReleaseSnapshot(id);
    }

    public bool CanMount => OperatingSystem.IsLinux() && File.Exists("/dev/fuse") && Environment.UserName == "root";

    public async Task<string> MountAsync(string forkPath, CancellationToken cancellationToken)
    {
        await _mountGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_mounts.TryGetValue(forkPath, out var existing)) return existing.Directory;
            var directory = Path.Combine(Path.GetTempPath(), "nokv-mcp", Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(directory);
            var mount = await store.MountAsync(forkPath, directory, cancellationToken: cancellationToken).ConfigureAwait(false);
            _mounts[forkPath] = mount;
            return mount.Directory;
        }
        finally
        {
            _mountGate.Release();
        }
    }

    /// <summary>Unmounts what is still mounted (the server is stopping); the store closes after this.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var mount in _mounts.Values) await mount.DisposeAsync().ConfigureAwait(false);
        _mounts.Clear();
        _mountGate.Dispose();
    }
}
