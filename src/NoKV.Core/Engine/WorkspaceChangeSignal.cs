using NoKV.Paths;

namespace NoKV.Engine;

/// <summary>
/// What changed in a workspace's head: the inodes and directory entries one transaction wrote,
/// or (<see cref="Everything"/>) the whole tree at or below <see cref="Path"/> (a rollback, a
/// promote into it). Raised after the change is visible to readers.
/// </summary>
internal sealed record WorkspaceChange(string Path, IReadOnlyCollection<long>? Inodes, IReadOnlyCollection<(long Parent, byte[] Name)>? Entries)
{
    /// <summary>True when no list of what changed is kept: everything at or below <see cref="Path"/> may have.</summary>
    public bool Everything => Inodes is null;

    /// <summary>True when the change may touch what a view of <paramref name="workspacePath"/> shows.</summary>
    public bool Touches(string workspacePath)
    {
        var changed = PathRules.Join(PathRules.Split(Path));
        if (!Everything) return changed == workspacePath; // inodes and entries of that workspace's head
        return PathRules.IsSameOrBelow(changed, workspacePath) || PathRules.IsSameOrBelow(workspacePath, changed);
    }
}

/// <summary>
/// Collects what one head transaction writes (<see cref="Layers.HeadWriter"/> reports each
/// inode and entry), only while someone listens to <see cref="WorkspaceChangeSignal"/>.
/// </summary>
internal sealed class WorkspaceChangeRecorder
{
    private readonly HashSet<long> _inodes = [];
    private readonly List<(long Parent, byte[] Name)> _entries = [];

    public void Inode(long ino) => _inodes.Add(ino);

    public void Entry(long parent, byte[] name) => _entries.Add((parent, name));

    public WorkspaceChange ToChange(string workspacePath) => new(workspacePath, _inodes, _entries);
}

/// <summary>
/// The store's internal notice of changes to workspaces made through it, and of its closing,
/// so a front end that caches what it served (a FUSE mount and the kernel's caches behind it)
/// can drop what went stale right after the call that changed it returns. Handlers run on the
/// thread that made the change, after the change is visible; they must not throw.
/// </summary>
internal sealed class WorkspaceChangeSignal
{
    private readonly Lock _gate = new();
    private volatile Action<WorkspaceChange>[] _changed = [];
    private volatile Func<Task>[] _closing = [];

    /// <summary>True while anyone listens: writers only record what they change then.</summary>
    public bool HasSubscribers => _changed.Length > 0;

    /// <summary>Calls <paramref name="onChanged"/> after each change, and <paramref name="onClosing"/> when the store starts closing; dispose to stop.</summary>
    public IDisposable Subscribe(Action<WorkspaceChange> onChanged, Func<Task> onClosing)
    {
        lock (_gate)
        {
            _changed = [.. _changed, onChanged];
            _closing = [.. _closing, onClosing];
        }
        return new Subscription(this, onChanged, onClosing);
    }

    /// <summary>A recorder for one head transaction, or null when nobody listens.</summary>
    public WorkspaceChangeRecorder? Recorder() => HasSubscribers ? new WorkspaceChangeRecorder() : null;

    public void Raise(WorkspaceChange change)
    {
        foreach (var handler in _changed) handler(change);
    }

    /// <summary>Everything at or below <paramref name="path"/> may have changed (a rollback, a promote).</summary>
    public void RaiseEverything(string path)
    {
        if (HasSubscribers) Raise(new WorkspaceChange(path, null, null));
    }

    /// <summary>The store is closing: listeners finish (a mount unmounts, publishing what it holds) before it does.</summary>
    public async Task RaiseClosingAsync()
    {
        foreach (var handler in _closing) await handler().ConfigureAwait(false);
    }

    private void Unsubscribe(Action<WorkspaceChange> onChanged, Func<Task> onClosing)
    {
        lock (_gate)
        {
            _changed = [.. _changed.Where(h => h != onChanged)];
            _closing = [.. _closing.Where(h => h != onClosing)];
        }
    }

    private sealed class Subscription(WorkspaceChangeSignal signal, Action<WorkspaceChange> onChanged, Func<Task> onClosing) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) signal.Unsubscribe(onChanged, onClosing);
        }
    }
}
