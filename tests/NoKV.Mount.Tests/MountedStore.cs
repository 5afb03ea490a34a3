namespace NoKV.Tests;

/// <summary>
/// A real store in a fresh temporary directory with a workspace "/base", and mount points made
/// on demand; everything still mounted is unmounted and deleted afterwards.
/// </summary>
public sealed class MountedStore : IAsyncDisposable
{
    private readonly List<WorkspaceMount> _mounts = [];

    public MountedStore(int chunkSize = 64 * 1024, long maxFileSize = 1L << 40, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null, Func<string, IBlockStore>? blockStore = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "nokv-mount-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Store = WorkspaceStore.Open(new WorkspaceStoreOptions
        {
            Directory = Path.Combine(Root, "store"), ChunkSize = chunkSize, MaxFileSize = maxFileSize, LoggerFactory = loggerFactory,
            BlockStore = blockStore?.Invoke(Path.Combine(Root, "blocks")),
        });
        Base = Store.CreateWorkspace("/base");
    }

    public string Root { get; }

    public WorkspaceStore Store { get; }

    public Workspace Base { get; }

    /// <summary>Mounts a workspace at a fresh directory.</summary>
    public async Task<WorkspaceMount> MountAsync(string workspacePath, MountOptions? options = null)
    {
        var directory = Directory.CreateDirectory(Path.Combine(Root, "mnt-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var mount = await Store.MountAsync(workspacePath, directory, options);
        _mounts.Add(mount);
        return mount;
    }

    /// <summary>Mounts a snapshot at a fresh directory.</summary>
    public async Task<WorkspaceMount> MountAsync(SnapshotPin snapshot)
    {
        var directory = Directory.CreateDirectory(Path.Combine(Root, "mnt-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var mount = await Store.MountAsync(snapshot, directory);
        _mounts.Add(mount);
        return mount;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var mount in _mounts) await mount.DisposeAsync();
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
