using System.Text;
using NoKV.Diagnostics;
using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;

namespace NoKV;

public sealed partial class WorkspaceStore
{
    /// <summary>Creates an empty workspace at <paramref name="path"/> (e.g. "/base" or "/forks/agent-1").</summary>
    /// <exception cref="WorkspaceAlreadyExistsException">A workspace already exists there.</exception>
    /// <exception cref="WorkspaceNestingException">The path is inside or above another workspace.</exception>
    public Workspace CreateWorkspace(string path) => CreateWorkspace(path, options: null);

    /// <inheritdoc cref="CreateWorkspace(string)"/>
    /// <param name="path">The new workspace's path.</param>
    /// <param name="options">Its settings (a time-to-live); null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">The time-to-live is out of range.</exception>
    public Workspace CreateWorkspace(string path, WorkspaceOptions? options)
    {
        using var op = Telemetry.Start(StoreOperation.CreateWorkspace, path);
        var normalized = NormalizeWorkspacePath(path, nameof(path));
        var expires = Expiry.ExpiryRules.TicksAfter(options?.TimeToLive, Clock, nameof(options));
        var rootInode = _ids.Next();
        var record = Write(txn =>
        {
            EnsureWorkspacePathFree(txn, normalized);
            var id = Counters.Next(txn, Counters.Workspace);
            var head = LayerTable.Create(txn, parent: 0, headOf: id);
            var writer = new HeadWriter(txn, LayerTable.ViewOf(txn, head, rootInode));
            writer.PutInode(rootInode, InodeRecord.New(RecordKind.Directory, 0, []));
            writer.Complete();
            var ws = new WorkspaceRecord(id, rootInode, head, NextVersion(txn), NowTicks, ExpiresUtcTicks: expires);
            txn.Put(Db.Workspaces, PathKey(normalized), ws.Encode());
            return ws;
        });
        return op.Complete(new Workspace(this, normalized, record.Id, record.RootInode));
    }

    /// <summary>Opens an existing workspace.</summary>
    /// <exception cref="WorkspaceNotFoundException">No workspace exists at the path.</exception>
    public Workspace OpenWorkspace(string path)
    {
        var normalized = NormalizeWorkspacePath(path, nameof(path));
        var record = Read(txn => GetWorkspace(txn, normalized));
        return new Workspace(this, normalized, record.Id, record.RootInode);
    }

    /// <summary>Finds the workspace that holds a store path: "/forks/a/src/x" is "/src/x" in workspace "/forks/a".</summary>
    /// <exception cref="WorkspaceNotFoundException">No workspace holds the path.</exception>
    public LocatedPath Locate(string storePath)
    {
        var (wsPath, ws, inner) = Read(txn => FindWorkspace(txn, storePath, nameof(storePath)));
        return new LocatedPath(new Workspace(this, wsPath, ws.Id, ws.RootInode), PathRules.Join(inner));
    }

    /// <summary>True if a workspace exists at exactly <paramref name="path"/>.</summary>
    public bool WorkspaceExists(string path)
    {
        var normalized = NormalizeWorkspacePath(path, nameof(path));
        return Read(txn => TryGetWorkspace(txn, normalized) is not null);
    }

    /// <summary>All workspaces, in path order.</summary>
    public IReadOnlyList<WorkspaceInfo> ListWorkspaces() => Read(txn =>
        txn.Scan(Db.Workspaces, []).Select(entry =>
        {
            var ws = WorkspaceRecord.Decode(entry.Value);
            return new WorkspaceInfo(Encoding.UTF8.GetString(entry.Key), ws.RootInode, ws.Id, FromTicks(ws.CreatedUtcTicks)) { IsReadOnly = ws.IsReadOnly, ExpiresUtc = Expiry.ExpiryRules.ToUtc(ws.ExpiresUtcTicks) };
        }).ToList());

    /// <summary>
    /// Marks a workspace read-only, or writable again. While read-only, every write into it
    /// (files, directories, attributes, import, rollback, promote into it, deleting it) fails with
    /// <see cref="ReadOnlyWorkspaceException"/> and changes nothing; reading, snapshots and clones
    /// work as before, and its clones are writable. For a shared base that agents must not touch.
    /// Write sessions already open fail when they publish. The flag is kept across reopens.
    /// </summary>
    /// <param name="path">The workspace path.</param>
    /// <param name="readOnly">True to refuse writes, false to accept them again.</param>
    /// <exception cref="WorkspaceNotFoundException">No workspace exists at the path.</exception>
    public void SetReadOnly(string path, bool readOnly)
    {
        using var op = Telemetry.Start(StoreOperation.Edit, path);
        var normalized = NormalizeWorkspacePath(path, nameof(path));
        op.Complete(Write(txn =>
        {
            var ws = GetWorkspace(txn, normalized);
            var flags = readOnly ? ws.Flags | WorkspaceFlags.ReadOnly : ws.Flags & ~WorkspaceFlags.ReadOnly;
            if (flags != ws.Flags) txn.Put(Db.Workspaces, PathKey(normalized), (ws with { Flags = flags }).Encode());
            return true;
        }));
    }

    /// <summary>
    /// Sets when a workspace expires (renewing or shortening its time-to-live), or clears it with
    /// null: it then lives until deleted. A time already past drops it at the next GC (unless it
    /// is in use then).
    /// </summary>
    /// <param name="path">The workspace path.</param>
    /// <param name="expiresUtc">When it expires; null for never.</param>
    /// <exception cref="WorkspaceNotFoundException">No workspace exists at the path.</exception>
    public void SetExpiry(string path, DateTimeOffset? expiresUtc)
    {
        using var op = Telemetry.Start(StoreOperation.Edit, path);
        var normalized = NormalizeWorkspacePath(path, nameof(path));
        var ticks = Expiry.ExpiryRules.TicksAt(expiresUtc);
        op.Complete(Write(txn =>
        {
            var ws = GetWorkspace(txn, normalized);
            txn.Put(Db.Workspaces, PathKey(normalized), (ws with { ExpiresUtcTicks = ticks }).Encode());
            return true;
        }));
    }

    /// <summary>True if the workspace at <paramref name="path"/> is read-only (see <see cref="SetReadOnly"/>).</summary>
    /// <exception cref="WorkspaceNotFoundException">No workspace exists at the path.</exception>
    public bool IsReadOnly(string path)
    {
        var normalized = NormalizeWorkspacePath(path, nameof(path));
        return Read(txn => GetWorkspace(txn, normalized).IsReadOnly);
    }

    /// <summary>
    /// Deletes a workspace. Snapshots taken of it stay readable until released; blocks only it
    /// reached become garbage for the next <see cref="CollectGarbage"/>.
    /// </summary>
    /// <exception cref="WorkspaceNotFoundException">No workspace exists at the path.</exception>
    /// <exception cref="ReadOnlyWorkspaceException">The workspace is read-only: clear the flag first (<see cref="SetReadOnly"/>).</exception>
    public void DeleteWorkspace(string path)
    {
        using var op = Telemetry.Start(StoreOperation.DeleteWorkspace, path);
        var normalized = NormalizeWorkspacePath(path, nameof(path));
        op.Complete(Write(txn =>
        {
            RemoveWorkspace(txn, normalized, Writable(GetWorkspace(txn, normalized), normalized));
            return true;
        }));
    }

    /// <summary>Deletes a workspace's record and retires its head: what only it reached becomes garbage.</summary>
    internal static void RemoveWorkspace(MetaTxn txn, string path, WorkspaceRecord ws)
    {
        txn.Delete(Db.Workspaces, PathKey(path));
        RetireHead(txn, ws.HeadLayer);
        NextVersion(txn);
    }

    /// <summary>A head that no workspace writes into any more: it is dead once nothing pins or descends from it.</summary>
    internal static void RetireHead(MetaTxn txn, long head)
    {
        var layer = LayerTable.Get(txn, head);
        LayerTable.Put(txn, head, layer with { HeadOf = 0 });
        LayerTable.MarkForGc(txn, head);
    }

    private static string NormalizeWorkspacePath(string path, string paramName)
    {
        var normalized = PathRules.Join(PathRules.SplitWorkspacePath(path, paramName));
        if (normalized == "/") throw new InvalidPathException(path, "'/' cannot be a workspace (every workspace would nest in it)", paramName);
        return normalized;
    }

    private static void EnsureWorkspacePathFree(MetaTxn txn, string path)
    {
        if (TryGetWorkspace(txn, path) is not null) throw new WorkspaceAlreadyExistsException(path);
        var segments = PathRules.Split(path);
        for (var i = 1; i < segments.Length; i++)
        {
            var above = PathRules.Join(segments[..i]);
            if (TryGetWorkspace(txn, above) is not null) throw new WorkspaceNestingException(path, above);
        }
        var below = txn.First(Db.Workspaces, PathKey(path + "/"));
        if (below is { } entry) throw new WorkspaceNestingException(path, Encoding.UTF8.GetString(entry.Key));
    }
}
