using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV;

/// <summary>
/// A read-only, immutable view of a workspace (or a directory in it) at one version. It reads
/// the same tree and bytes until released, whatever happens to the workspace afterwards, and
/// keeps the blocks it reaches safe from GC. Paths are relative to <see cref="Root"/>.
/// </summary>
public sealed class SnapshotPin
{
    private readonly WorkspaceStore _store;

    internal SnapshotPin(WorkspaceStore store, long id, PinRecord record)
    {
        _store = store;
        Id = id;
        Root = record.Root;
        WorkspacePath = record.WorkspacePath;
        ReadVersion = record.ReadVersion;
        RootInode = record.RootInode;
        CreatedUtc = WorkspaceStore.FromTicks(record.CreatedUtcTicks);
        ExpiresUtc = Expiry.ExpiryRules.ToUtc(record.ExpiresUtcTicks);
    }

    /// <summary>The snapshot id.</summary>
    public long Id { get; }

    /// <summary>The store path the snapshot was taken of ("/base" or "/base/src").</summary>
    public string Root { get; }

    /// <summary>The workspace the snapshot was taken of.</summary>
    public string WorkspacePath { get; }

    /// <summary>The store version at which the snapshot was taken; later operations have larger versions.</summary>
    public long ReadVersion { get; }

    /// <summary>The inode of the snapshot's root directory.</summary>
    public long RootInode { get; }

    /// <summary>When the snapshot was taken.</summary>
    public DateTime CreatedUtc { get; }

    /// <summary>When the snapshot expires (GC then releases it), as it was when this object was read; null if it lives until released.</summary>
    public DateTime? ExpiresUtc { get; }

    /// <summary>Opens a file for reading: seekable, with a known length.</summary>
    /// <exception cref="SnapshotNotFoundException">The snapshot was released.</exception>
    public Stream OpenRead(string path) => _store.Content.OpenRead(ViewOf, path, Id);

    /// <summary>Reads a whole file.</summary>
    public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default) =>
        _store.Content.ReadAllBytes(ViewOf, path, Id, cancellationToken);

    /// <summary>Lists a directory, in ordinal name order.</summary>
    public IReadOnlyList<NodeInfo> List(string directoryPath) => _store.Queries.List(ViewOf, directoryPath);

    /// <summary>Lists a directory of the snapshot as an async stream; see <see cref="Workspace.EnumerateAsync"/>.</summary>
    public IAsyncEnumerable<NodeInfo> EnumerateAsync(string directoryPath, CancellationToken cancellationToken = default) =>
        _store.Queries.Enumerate(ViewOf, directoryPath, cancellationToken);

    /// <summary>Describes a file or directory.</summary>
    public NodeInfo Stat(string path) => _store.Queries.Stat(ViewOf, path);

    /// <summary>True if the path exists in the snapshot.</summary>
    public bool Exists(string path) => _store.Queries.Exists(ViewOf, path);

    internal View ViewOf(MetaTxn txn)
    {
        var pin = WorkspaceStore.GetPin(txn, Id);
        return LayerTable.ViewOf(txn, pin.Layer, pin.RootInode);
    }

    /// <inheritdoc />
    public override string ToString() => $"snapshot {Root} id={Id} version={ReadVersion}";
}
