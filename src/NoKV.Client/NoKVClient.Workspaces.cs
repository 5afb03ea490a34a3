using NoKV.Protocol;

namespace NoKV.Client;

public sealed partial class NoKVClient
{
    /// <summary>Creates an empty workspace (<see cref="WorkspaceStore.CreateWorkspace(string)"/>).</summary>
    public Task<RemoteWorkspace> CreateWorkspaceAsync(string path, CancellationToken cancellationToken = default) => CreateWorkspaceAsync(path, null, cancellationToken);

    /// <summary>Creates an empty workspace with settings (a time-to-live; <see cref="WorkspaceStore.CreateWorkspace(string, WorkspaceOptions?)"/>).</summary>
    public async Task<RemoteWorkspace> CreateWorkspaceAsync(string path, WorkspaceOptions? options, CancellationToken cancellationToken = default)
    {
        var request = WithTtl(new PathRequest { Path = path ?? "" }, options?.TimeToLive);
        var reply = await _calls.UnaryAsync(o => _calls.Stub.CreateWorkspaceAsync(request, o), cancellationToken).ConfigureAwait(false);
        return new RemoteWorkspace(_calls, reply.Path, reply.RootInode);
    }

    /// <summary>Marks a workspace read-only or writable again (<see cref="WorkspaceStore.SetReadOnly"/>).</summary>
    public Task SetReadOnlyAsync(string path, bool readOnly, CancellationToken cancellationToken = default) =>
        _calls.UnaryAsync(o => _calls.Stub.SetReadOnlyAsync(new SetReadOnlyRequest { Path = path ?? "", ReadOnly = readOnly }, o), cancellationToken);

    /// <summary>Sets or clears when a workspace expires (<see cref="WorkspaceStore.SetExpiry"/>).</summary>
    public Task SetExpiryAsync(string path, DateTimeOffset? expiresUtc, CancellationToken cancellationToken = default)
    {
        var request = new SetExpiryRequest { Path = path ?? "" };
        if (expiresUtc is { } at) request.ExpiresTicks = at.UtcTicks;
        return _calls.UnaryAsync(o => _calls.Stub.SetExpiryAsync(request, o), cancellationToken);
    }

    /// <summary>Opens an existing workspace (<see cref="WorkspaceStore.OpenWorkspace"/>).</summary>
    /// <exception cref="WorkspaceNotFoundException">No workspace has that path.</exception>
    public async Task<RemoteWorkspace> OpenWorkspaceAsync(string path, CancellationToken cancellationToken = default)
    {
        var reply = await _calls.UnaryAsync(o => _calls.Stub.OpenWorkspaceAsync(new PathRequest { Path = path ?? "" }, o), cancellationToken).ConfigureAwait(false);
        return new RemoteWorkspace(_calls, reply.Path, reply.RootInode);
    }

    /// <summary>True when a workspace has this path.</summary>
    public async Task<bool> WorkspaceExistsAsync(string path, CancellationToken cancellationToken = default) =>
        (await _calls.UnaryAsync(o => _calls.Stub.WorkspaceExistsAsync(new PathRequest { Path = path ?? "" }, o), cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>The workspaces, streamed in path order (<see cref="WorkspaceStore.EnumerateWorkspacesAsync"/>).</summary>
    public IAsyncEnumerable<WorkspaceInfo> EnumerateWorkspacesAsync(CancellationToken cancellationToken = default) =>
        _calls.StreamAsync(o => _calls.Stub.ListWorkspaces(new Empty(), o), Wire.FromWire, cancellationToken);

    /// <summary>The workspaces, in path order (<see cref="WorkspaceStore.ListWorkspaces"/>).</summary>
    public async Task<IReadOnlyList<WorkspaceInfo>> ListWorkspacesAsync(CancellationToken cancellationToken = default) =>
        await ToListAsync(EnumerateWorkspacesAsync(cancellationToken)).ConfigureAwait(false);

    /// <summary>Deletes a workspace (<see cref="WorkspaceStore.DeleteWorkspace"/>).</summary>
    public Task DeleteWorkspaceAsync(string path, CancellationToken cancellationToken = default) =>
        _calls.UnaryAsync(o => _calls.Stub.DeleteWorkspaceAsync(new PathRequest { Path = path ?? "" }, o), cancellationToken);

    /// <summary>The workspace a store path is in, and the path inside it (<see cref="WorkspaceStore.Locate"/>).</summary>
    public async Task<RemoteLocatedPath> LocateAsync(string storePath, CancellationToken cancellationToken = default)
    {
        var reply = await _calls.UnaryAsync(o => _calls.Stub.LocateAsync(new PathRequest { Path = storePath ?? "" }, o), cancellationToken).ConfigureAwait(false);
        return new RemoteLocatedPath(new RemoteWorkspace(_calls, reply.Workspace, reply.RootInode), reply.Path);
    }

    internal static async Task<IReadOnlyList<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items.ConfigureAwait(false)) list.Add(item);
        return list;
    }
}
