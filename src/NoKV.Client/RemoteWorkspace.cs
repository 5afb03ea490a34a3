using NoKV.Protocol;

namespace NoKV.Client;

/// <summary>
/// A workspace at the owner, by path (<see cref="Workspace"/>): the same operations, asynchronous,
/// with the same exceptions. Paths inside it start at "/".
/// </summary>
public sealed class RemoteWorkspace
{
    private readonly Calls _calls;

    internal RemoteWorkspace(Calls calls, string path, long rootInode)
    {
        _calls = calls;
        Path = path;
        RootInode = rootInode;
    }

    /// <summary>The workspace's store path, e.g. /forks/agent-1.</summary>
    public string Path { get; }

    /// <summary>Its root inode (stable across rollbacks).</summary>
    public long RootInode { get; }

    private NodeRequest At(string path) => new() { Workspace = Path, Path = path ?? "" };

    /// <summary>Describes a node; a symbolic link is described, not followed.</summary>
    public async Task<NodeInfo> StatAsync(string path, CancellationToken cancellationToken = default) =>
        Wire.FromWire(await _calls.UnaryAsync(o => _calls.Stub.StatAsync(At(path), o), cancellationToken).ConfigureAwait(false));

    /// <summary>True when the path exists.</summary>
    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        (await _calls.UnaryAsync(o => _calls.Stub.ExistsAsync(At(path), o), cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>A directory's entries, streamed in name order.</summary>
    public IAsyncEnumerable<NodeInfo> EnumerateAsync(string directoryPath, CancellationToken cancellationToken = default) =>
        _calls.StreamAsync(o => _calls.Stub.List(At(directoryPath), o), Wire.FromWire, cancellationToken);

    /// <summary>A directory's entries in name order.</summary>
    public Task<IReadOnlyList<NodeInfo>> ListAsync(string directoryPath, CancellationToken cancellationToken = default) =>
        NoKVClient.ToListAsync(EnumerateAsync(directoryPath, cancellationToken));

    /// <summary>Opens a file for reading as a stream of chunks (one version: later writes do not show); a missing path fails here.</summary>
    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default) =>
        RemoteReadStream.OpenAsync(_calls, At(path), cancellationToken);

    /// <summary>A whole file's bytes.</summary>
    public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default) =>
        RemoteReadStream.ReadAllAsync(_calls, At(path), cancellationToken);

    /// <summary>
    /// Opens a file to create or replace. Bytes stream to the owner in chunks as they are written;
    /// the new version is published only when the stream is disposed normally. <see cref="RemoteWriteStream.Abort"/>,
    /// a failure, or a lost connection publishes nothing.
    /// </summary>
    public Task<RemoteWriteStream> OpenWriteAsync(string path, CancellationToken cancellationToken = default) =>
        RemoteWriteStream.OpenAsync(_calls, new WriteHeader { Workspace = Path, Path = path ?? "" }, cancellationToken);

    /// <summary>Opens a file to append to (created if missing), published like <see cref="OpenWriteAsync"/>.</summary>
    public Task<RemoteWriteStream> OpenAppendAsync(string path, CancellationToken cancellationToken = default) =>
        RemoteWriteStream.OpenAsync(_calls, new WriteHeader { Workspace = Path, Path = path ?? "", Append = true }, cancellationToken);

    /// <summary>Creates or replaces a file with <paramref name="data"/>.</summary>
    public async Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var stream = await OpenWriteAsync(path, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                stream.Abort();
                throw;
            }
        }
    }

    /// <summary>Creates a directory and its missing parents.</summary>
    public Task CreateDirectoryAsync(string path, CancellationToken cancellationToken = default) =>
        _calls.UnaryAsync(o => _calls.Stub.CreateDirectoryAsync(At(path), o), cancellationToken);

    /// <summary>Moves or renames within this workspace.</summary>
    public Task MoveAsync(string from, string to, CancellationToken cancellationToken = default) =>
        _calls.UnaryAsync(o => _calls.Stub.MoveAsync(new MoveRequest { Workspace = Path, From = from ?? "", To = to ?? "" }, o), cancellationToken);

    /// <summary>Deletes a file, a link, or a directory (with <paramref name="recursive"/> when it has entries).</summary>
    public Task DeleteAsync(string path, bool recursive = false, CancellationToken cancellationToken = default) =>
        _calls.UnaryAsync(o => _calls.Stub.DeleteAsync(new DeleteRequest { Workspace = Path, Path = path ?? "", Recursive = recursive }, o), cancellationToken);

    /// <summary>Creates a symbolic link to <paramref name="pathToTarget"/>, stored as given.</summary>
    public async Task<NodeInfo> CreateSymbolicLinkAsync(string path, string pathToTarget, CancellationToken cancellationToken = default) =>
        Wire.FromWire(await _calls.UnaryAsync(o => _calls.Stub.CreateSymbolicLinkAsync(new LinkRequest { Workspace = Path, Path = path ?? "", Target = pathToTarget ?? "" }, o), cancellationToken).ConfigureAwait(false));

    /// <summary>Sets a file's or directory's permission bits.</summary>
    public async Task<NodeInfo> SetUnixFileModeAsync(string path, UnixFileMode mode, CancellationToken cancellationToken = default) =>
        Wire.FromWire(await _calls.UnaryAsync(o => _calls.Stub.SetUnixFileModeAsync(new SetModeRequest { Workspace = Path, Path = path ?? "", Mode = (int)mode }, o), cancellationToken).ConfigureAwait(false));

    /// <summary>Sets a node's modification time.</summary>
    public async Task<NodeInfo> SetLastWriteTimeAsync(string path, DateTimeOffset lastWriteTime, CancellationToken cancellationToken = default)
    {
        var request = new SetTimeRequest { Workspace = Path, Path = path ?? "", Ticks = lastWriteTime.UtcTicks, OffsetMinutes = (int)lastWriteTime.Offset.TotalMinutes };
        return Wire.FromWire(await _calls.UnaryAsync(o => _calls.Stub.SetLastWriteTimeAsync(request, o), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Sets a node's owner and group ids.</summary>
    public async Task<NodeInfo> SetOwnerAsync(string path, long ownerId, long groupId, CancellationToken cancellationToken = default) =>
        Wire.FromWire(await _calls.UnaryAsync(o => _calls.Stub.SetOwnerAsync(new SetOwnerRequest { Workspace = Path, Path = path ?? "", OwnerId = ownerId, GroupId = groupId }, o), cancellationToken).ConfigureAwait(false));

    /// <summary>Cuts or extends a file to <paramref name="length"/> bytes.</summary>
    public Task TruncateAsync(string path, long length, CancellationToken cancellationToken = default) =>
        _calls.UnaryAsync(o => _calls.Stub.TruncateAsync(new TruncateRequest { Workspace = Path, Path = path ?? "", Length = length }, o), cancellationToken);

    /// <inheritdoc />
    public override string ToString() => Path;
}
