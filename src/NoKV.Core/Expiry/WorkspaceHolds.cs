namespace NoKV.Expiry;

/// <summary>
/// The workspaces and snapshots this process is using now (open write sessions, imports,
/// mounts): an expired one is never dropped under them, only once they let go. Expiry and a new
/// hold serialise on one lock, so a hold taken after a workspace or snapshot expired fails cleanly
/// instead of using one that is gone.
/// </summary>
internal sealed class WorkspaceHolds
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Held, int> _holds = [];
    // Ids are never reused, so this only grows by what this process expired.
    private readonly HashSet<Held> _expired = [];

    /// <summary>A workspace (by id) or a snapshot (by pin id).</summary>
    private readonly record struct Held(bool Snapshot, long Id);

    /// <summary>Holds a workspace until the returned handle is disposed (once; later disposes do nothing).</summary>
    /// <exception cref="WorkspaceNotFoundException">The workspace expired and was dropped.</exception>
    public IDisposable Hold(long workspaceId, string workspacePath) =>
        Take(new Held(false, workspaceId), () => new WorkspaceNotFoundException(workspacePath));

    /// <summary>Holds a snapshot until the returned handle is disposed (a mount of it).</summary>
    /// <exception cref="SnapshotNotFoundException">The snapshot expired and was released.</exception>
    public IDisposable HoldSnapshot(long snapshotId) =>
        Take(new Held(true, snapshotId), () => new SnapshotNotFoundException(snapshotId));

    /// <summary>
    /// Runs <paramref name="drop"/> unless the workspace is held; while it runs no hold can be
    /// taken on it, and once it returned true none ever can.
    /// </summary>
    public DropOutcome DropUnlessHeld(long workspaceId, Func<bool> drop) => DropUnlessHeld(new Held(false, workspaceId), drop);

    /// <inheritdoc cref="DropUnlessHeld(long, Func{bool})"/>
    public DropOutcome ReleaseSnapshotUnlessHeld(long snapshotId, Func<bool> release) => DropUnlessHeld(new Held(true, snapshotId), release);

    /// <summary>True if the snapshot is held now (a mount of it).</summary>
    public bool IsSnapshotHeld(long snapshotId)
    {
        lock (_gate) return _holds.ContainsKey(new Held(true, snapshotId));
    }

    private Handle Take(Held held, Func<Exception> gone)
    {
        lock (_gate)
        {
            if (_expired.Contains(held)) throw gone();
            _holds[held] = _holds.GetValueOrDefault(held) + 1;
        }
        return new Handle(this, held);
    }

    private DropOutcome DropUnlessHeld(Held held, Func<bool> drop)
    {
        lock (_gate)
        {
            if (_holds.ContainsKey(held)) return DropOutcome.Held;
            if (!drop()) return DropOutcome.NotDropped;
            _expired.Add(held);
            return DropOutcome.Dropped;
        }
    }

    private void Release(Held held)
    {
        lock (_gate)
        {
            var count = _holds[held] - 1;
            if (count == 0) _holds.Remove(held);
            else _holds[held] = count;
        }
    }

    private sealed class Handle(WorkspaceHolds holds, Held held) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) holds.Release(held);
        }
    }
}

/// <summary>What <see cref="WorkspaceHolds.DropUnlessHeld(long, Func{bool})"/> did.</summary>
internal enum DropOutcome
{
    /// <summary>Dropped: no hold can be taken on it any more.</summary>
    Dropped,
    /// <summary>Left alone: this process uses it (dropped by a later run once released).</summary>
    Held,
    /// <summary>The drop itself declined (renewed or gone meanwhile).</summary>
    NotDropped,
}
