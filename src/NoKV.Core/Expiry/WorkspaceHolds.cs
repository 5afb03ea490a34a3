namespace NoKV.Expiry;

/// <summary>
/// The workspaces this process is using now (open write sessions, imports, mounts): an expired
/// workspace is never dropped under them, only once they let go. Expiry and a new hold serialise
/// on one lock, so a hold taken after a workspace expired fails cleanly instead of writing into a
/// workspace that is gone.
/// </summary>
internal sealed class WorkspaceHolds
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, int> _holds = [];
    // Workspace ids are never reused, so this only grows by what this process expired.
    private readonly HashSet<long> _expired = [];

    /// <summary>Holds a workspace until the returned handle is disposed (once; later disposes do nothing).</summary>
    /// <exception cref="WorkspaceNotFoundException">The workspace expired and was dropped.</exception>
    public IDisposable Hold(long workspaceId, string workspacePath)
    {
        lock (_gate)
        {
            if (_expired.Contains(workspaceId)) throw new WorkspaceNotFoundException(workspacePath);
            _holds[workspaceId] = _holds.GetValueOrDefault(workspaceId) + 1;
        }
        return new Handle(this, workspaceId);
    }

    /// <summary>
    /// Runs <paramref name="drop"/> unless the workspace is held; while it runs no hold can be
    /// taken on it, and once it returned true none ever can. Returns whether it dropped.
    /// </summary>
    public bool DropUnlessHeld(long workspaceId, Func<bool> drop)
    {
        lock (_gate)
        {
            if (_holds.ContainsKey(workspaceId) || !drop()) return false;
            _expired.Add(workspaceId);
            return true;
        }
    }

    private void Release(long workspaceId)
    {
        lock (_gate)
        {
            var count = _holds[workspaceId] - 1;
            if (count == 0) _holds.Remove(workspaceId);
            else _holds[workspaceId] = count;
        }
    }

    private sealed class Handle(WorkspaceHolds holds, long workspaceId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) holds.Release(workspaceId);
        }
    }
}
