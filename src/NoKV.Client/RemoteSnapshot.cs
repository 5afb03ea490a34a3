using NoKV.Protocol;

namespace NoKV.Client;

/// <summary>A snapshot pin at the owner, read over the socket (<see cref="SnapshotPin"/>): read-only, by id.</summary>
public sealed class RemoteSnapshot
{
    private readonly Calls _calls;

    internal RemoteSnapshot(Calls calls, SnapshotReply reply)
    {
        _calls = calls;
        Id = reply.Id;
        Root = reply.Root;
        WorkspacePath = reply.WorkspacePath;
        ReadVersion = reply.ReadVersion;
        RootInode = reply.RootInode;
        CreatedUtc = new DateTime(reply.CreatedTicks, DateTimeKind.Utc);
        ExpiresUtc = reply.HasExpiresTicks ? new DateTime(reply.ExpiresTicks, DateTimeKind.Utc) : null;
    }

    /// <summary>The snapshot id.</summary>
    public long Id { get; }

    /// <summary>The store path the snapshot pins (a workspace or a directory in one).</summary>
    public string Root { get; }

    /// <summary>The workspace it was taken of.</summary>
    public string WorkspacePath { get; }

    /// <summary>The metadata version it reads.</summary>
    public long ReadVersion { get; }

    /// <summary>The inode of its root.</summary>
    public long RootInode { get; }

    /// <summary>When it was taken (UTC).</summary>
    public DateTime CreatedUtc { get; }

    /// <summary>When it expires (UTC), as it was when read; null if it lives until released.</summary>
    public DateTime? ExpiresUtc { get; }

    private NodeRequest At(string path) => new() { Snapshot = Id, Path = path ?? "" };

    /// <summary>Describes a node in the snapshot.</summary>
    public async Task<NodeInfo> StatAsync(string path, CancellationToken cancellationToken = default) =>
        Wire.FromWire(await _calls.UnaryAsync(o => _calls.Stub.StatAsync(At(path), o), cancellationToken).ConfigureAwait(false));

    /// <summary>True when the path exists in the snapshot.</summary>
    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        (await _calls.UnaryAsync(o => _calls.Stub.ExistsAsync(At(path), o), cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>A directory's entries, streamed in name order.</summary>
    public IAsyncEnumerable<NodeInfo> EnumerateAsync(string directoryPath, CancellationToken cancellationToken = default) =>
        _calls.StreamAsync(o => _calls.Stub.List(At(directoryPath), o), Wire.FromWire, cancellationToken);

    /// <summary>A directory's entries in name order.</summary>
    public Task<IReadOnlyList<NodeInfo>> ListAsync(string directoryPath, CancellationToken cancellationToken = default) =>
        NoKVClient.ToListAsync(EnumerateAsync(directoryPath, cancellationToken));

    /// <summary>Opens a file for reading as a stream of chunks; a missing path fails here, not at the first read.</summary>
    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default) =>
        RemoteReadStream.OpenAsync(_calls, At(path), cancellationToken);

    /// <summary>A whole file's bytes.</summary>
    public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default) =>
        RemoteReadStream.ReadAllAsync(_calls, At(path), cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"snapshot {Root} id={Id} version={ReadVersion}";
}
