namespace NoKV.Storage.Local.Extents;

/// <summary>
/// Read handles of recently read extent files, kept open between reads so the kernel's readahead
/// for a file carries on from one chunk to the next (a handle opened per read starts it cold every
/// time). At most <see cref="Capacity"/> files; a handle in use is never closed under its reader
/// (counted leases). An extent file is only ever replaced at its path after this store deleted it,
/// and <see cref="Forget"/> drops its handle then, so a cached handle never reads a dead file.
/// </summary>
internal sealed class ExtentReadHandles
{
    public const int Capacity = 32;

    private readonly Dictionary<string, Handle> _open = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private long _clock;
    private long _forgets;

    /// <summary>A lease on the open extent file at <paramref name="path"/>, or null if there is none; dispose it when done.</summary>
    public Lease? Acquire(string path)
    {
        long forgetsBefore;
        lock (_gate)
        {
            forgetsBefore = _forgets;
            if (_open.TryGetValue(path, out var cached))
            {
                cached.Users++;
                cached.LastUsed = ++_clock;
                return new Lease(this, cached);
            }
        }
        var file = ExtentFile.TryOpen(path, writable: false);
        if (file is null) return null;
        lock (_gate)
        {
            if (_forgets != forgetsBefore)
            {
                // A file was deleted while we opened this one: it may be that file, so use it
                // for this read only and never cache it.
                return new Lease(this, new Handle(path, file) { Users = 1, Retired = true });
            }
            if (_open.TryGetValue(path, out var raced))
            {
                file.Dispose();
                raced.Users++;
                raced.LastUsed = ++_clock;
                return new Lease(this, raced);
            }
            if (_open.Count >= Capacity) EvictOldestIdle();
            var handle = new Handle(path, file) { Users = 1, LastUsed = ++_clock };
            _open[path] = handle;
            return new Lease(this, handle);
        }
    }

    /// <summary>Drops the cached handle of a file just deleted (closed once its last reader is done); call it after the delete.</summary>
    public void Forget(string path)
    {
        lock (_gate)
        {
            _forgets++;
            if (!_open.Remove(path, out var handle)) return;
            handle.Retired = true;
            if (handle.Users == 0) handle.File.Dispose();
        }
    }

    /// <summary>Closes every cached handle (those in use once their readers are done): the store is closing.</summary>
    public void ForgetAll()
    {
        lock (_gate)
        {
            _forgets++;
            foreach (var handle in _open.Values)
            {
                handle.Retired = true;
                if (handle.Users == 0) handle.File.Dispose();
            }
            _open.Clear();
        }
    }

    private void EvictOldestIdle()
    {
        Handle? oldest = null;
        foreach (var handle in _open.Values)
        {
            if (handle.Users == 0 && (oldest is null || handle.LastUsed < oldest.LastUsed)) oldest = handle;
        }
        if (oldest is null) return; // all in use: the cache grows past capacity for a moment
        _open.Remove(oldest.Path);
        oldest.File.Dispose();
    }

    private void Release(Handle handle)
    {
        lock (_gate)
        {
            handle.Users--;
            if (handle.Retired && handle.Users == 0) handle.File.Dispose();
        }
    }

    internal sealed class Handle(string path, ExtentFile file)
    {
        public string Path { get; } = path;
        public ExtentFile File { get; } = file;
        public int Users { get; set; }
        public long LastUsed { get; set; }
        public bool Retired { get; set; }
    }

    internal sealed class Lease : IDisposable
    {
        private readonly ExtentReadHandles _owner;
        private readonly Handle _handle;
        private int _released;

        internal Lease(ExtentReadHandles owner, Handle handle)
        {
            _owner = owner;
            _handle = handle;
        }

        public ExtentFile File => _handle.File;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _owner.Release(_handle);
        }
    }
}
