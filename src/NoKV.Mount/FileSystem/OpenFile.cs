using NoKV.Engine;

namespace NoKV.Mount.FileSystem;

/// <summary>
/// A file held open through the mount, shared by all its handles: the version it was opened at
/// (leased, so it stays readable even once unlinked) and the writes made since, kept as whole
/// chunks in memory. Reads see the written bytes at once; <see cref="PublishAsync"/> makes them
/// ONE new version of the file (flush, fsync, the last close), borrowing every chunk they did not
/// touch. All calls are serialised per file.
/// </summary>
internal sealed class OpenFile : IAsyncDisposable
{
    /// <summary>Past this many buffered bytes a write publishes what it has, so memory stays bounded for any file size.</summary>
    internal const long MaxBufferedBytes = 64L * 1024 * 1024;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<long, Page> _pages = [];
    private OpenVersion _basis;
    private long _keepBelow;
    private long _size;
    private long _buffered;
    private long? _pendingModified;
    private DateTime _lastWrite = DateTime.UtcNow;
    private bool _truncated; // a cut or O_TRUNC is buffered: the length here is deliberate

    public OpenFile(long inode, OpenVersion basis, NodeAttributes attributes)
    {
        Inode = inode;
        _basis = basis;
        _keepBelow = _size = basis.Size;
        Attributes = attributes;
    }

    public long Inode { get; }

    /// <summary>The generation the file's buffered writes build on (after a publish: the one published).</summary>
    public long Generation => _basis.Generation;

    /// <summary>Handles open on this file (changed under the open-file table's lock).</summary>
    public int Handles { get; set; }

    /// <summary>The file's attributes as last published or read, for fstat after unlink.</summary>
    public NodeAttributes Attributes { get; private set; }

    /// <summary>True once the file left the namespace (unlinked or replaced): it is never published again.</summary>
    public bool Unlinked { get; private set; }

    private bool Dirty => _pages.Count > 0 || _size != _basis.Size || _keepBelow < _basis.Size;

    private long ChunkSize => _basis.ChunkSize;

    /// <summary>What getattr reports while the file is open: the buffered length, and the time of the last buffered write (or the one utimens set).</summary>
    public NodeAttributes Overlay(NodeAttributes stored)
    {
        if (!Dirty) return stored;
        var modified = _pendingModified is { } ticks ? new DateTime(ticks, DateTimeKind.Utc) : _lastWrite;
        return stored with { Size = _size, ModifiedUtc = modified, ChangedUtc = _lastWrite };
    }

    public async Task<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (offset >= _size) return 0;
            var count = (int)Math.Min(destination.Length, _size - offset);
            var done = 0;
            while (done < count)
            {
                var position = offset + done;
                var index = position / ChunkSize;
                var within = (int)(position - index * ChunkSize);
                var n = (int)Math.Min(count - done, ChunkSize - within);
                var target = destination.Slice(done, n);
                if (_pages.TryGetValue(index, out var page)) page.CopyTo(within, target.Span);
                else await ReadBasisAsync(position, target, cancellationToken).ConfigureAwait(false);
                done += n;
            }
            return count;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Bytes of the basis below the cut, zeros past it.</summary>
    private async Task ReadBasisAsync(long position, Memory<byte> target, CancellationToken cancellationToken)
    {
        var kept = Math.Min(_keepBelow, _basis.Size);
        var fromBasis = (int)Math.Clamp(kept - position, 0, target.Length);
        if (fromBasis > 0)
        {
            var n = await _basis.ReadAsync(position, target[..fromBasis], cancellationToken).ConfigureAwait(false);
            if (n != fromBasis) throw new StoreCorruptedException($"Version {_basis.Generation} of inode {Inode} ended before its length.");
        }
        target.Span[fromBasis..].Clear();
    }

    /// <summary>Writes at any offset (a gap past the end reads as zeros); true when the buffer should be published now.</summary>
    public async Task<bool> WriteAsync(long offset, ReadOnlyMemory<byte> data, long maxFileSize, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (offset + data.Length > maxFileSize) throw new FileTooLargeException($"inode {Inode}", offset + data.Length, maxFileSize);
            var done = 0;
            while (done < data.Length)
            {
                var position = offset + done;
                var index = position / ChunkSize;
                var within = (int)(position - index * ChunkSize);
                var n = (int)Math.Min(data.Length - done, ChunkSize - within);
                var page = await PageAsync(index, cancellationToken).ConfigureAwait(false);
                _buffered += page.Write(within, data.Span.Slice(done, n));
                done += n;
            }
            _size = Math.Max(_size, offset + data.Length);
            _lastWrite = DateTime.UtcNow;
            _pendingModified = null; // a write after a utimens moves the time again, as on any file system
            return _buffered >= MaxBufferedBytes;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The buffered chunk <paramref name="index"/>, loaded from the basis (below the cut) on first write.</summary>
    private async Task<Page> PageAsync(long index, CancellationToken cancellationToken)
    {
        if (_pages.TryGetValue(index, out var page)) return page;
        var start = index * ChunkSize;
        var kept = Math.Min(Math.Min(_keepBelow, _basis.Size), _size);
        var length = (int)Math.Clamp(kept - start, 0, ChunkSize);
        page = new Page((int)ChunkSize, length);
        if (length > 0)
        {
            var n = await _basis.ReadAsync(start, page.Buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            if (n != length) throw new StoreCorruptedException($"Version {_basis.Generation} of inode {Inode} ended before its length.");
        }
        _buffered += page.Buffer.Length;
        _pages[index] = page;
        return page;
    }

    /// <summary>ftruncate / O_TRUNC: cut (bytes past the cut are gone, zeros if it grows again) or extend with zeros.</summary>
    public async Task TruncateAsync(long size, long maxFileSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (size > maxFileSize) throw new FileTooLargeException($"inode {Inode}", size, maxFileSize);
            if (size < _size)
            {
                foreach (var index in _pages.Keys.Where(i => i * ChunkSize >= size).ToList())
                {
                    _buffered -= _pages[index].Buffer.Length;
                    _pages.Remove(index);
                }
                var last = size / ChunkSize;
                if (_pages.TryGetValue(last, out var page)) page.Cut((int)(size - last * ChunkSize));
                _keepBelow = Math.Min(_keepBelow, size);
            }
            _size = size;
            _truncated = true;
            _lastWrite = DateTime.UtcNow;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A modification time set while writes are buffered: applied after they publish (which would otherwise move it to now).</summary>
    public async Task<bool> TrySetPendingModifiedAsync(long ticks, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!Dirty || Unlinked) return false;
            _pendingModified = ticks;
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Publishes the buffered writes as one new version (nothing if there are none, or the file
    /// was unlinked: then they stay readable through its handles until the last one closes).
    /// Another writer's version published meanwhile is built on, not undone: the buffered chunks
    /// land on top of it.
    /// </summary>
    /// <returns>True if a version was published.</returns>
    public async Task<bool> PublishAsync(WorkspaceStore store, MountedView view, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!Dirty || Unlinked || view.Workspace is not { } ws) return false;
            for (var attempt = 0; ; attempt++)
            {
                var chunks = _pages.ToDictionary(p => p.Key, p => p.Value.Bytes);
                try
                {
                    Attributes = await ChunkPatches.PublishAsync(store, ws, Inode, new ChunkPatch(_basis, _keepBelow, _size, chunks), cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (VersionRacedException) when (attempt < 10)
                {
                    // Rebase on the version that won: our chunks over it, its bytes elsewhere. A
                    // file that only grew here keeps what the other writer appended; one cut here
                    // keeps our length.
                    await RebaseAsync(store, view, keepBelow: _truncated ? _size : null).ConfigureAwait(false);
                }
                catch (PathNotFoundException)
                {
                    Unlinked = true;
                    return false;
                }
            }
            _pages.Clear();
            await RebaseAsync(store, view, keepBelow: null).ConfigureAwait(false);
            _truncated = false;
            _buffered = 0;
            if (_pendingModified is { } ticks)
            {
                _pendingModified = null;
                Attributes = store.Mutations.SetAttributes(ws, Inode, new AttributeChange(ModifiedUtcTicks: ticks));
            }
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Leases the file's current version as the new basis (and releases the old one).</summary>
    private async Task RebaseAsync(WorkspaceStore store, MountedView view, long? keepBelow)
    {
        var fresh = OpenVersion.Open(store, view.ViewOf, Inode, view.SnapshotId);
        var old = _basis;
        _basis = fresh;
        await old.DisposeAsync().ConfigureAwait(false);
        if (keepBelow is { } keep) _keepBelow = keep;
        else _keepBelow = _size = Math.Max(_pages.Count == 0 ? 0 : _size, fresh.Size);
    }

    /// <summary>The file left the namespace: keep its bytes for its handles, publish nothing.</summary>
    public void MarkUnlinked() => Unlinked = true;

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _pages.Clear();
            await _basis.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// One buffered chunk: its first <see cref="Length"/> bytes are the file's; the rest of the
    /// chunk (up to the file's length) reads as zeros. The buffer grows as writes reach further.
    /// </summary>
    private sealed class Page(int chunkSize, int length)
    {
        public byte[] Buffer { get; private set; } = new byte[Math.Max(length, Math.Min(chunkSize, 4096))];

        public int Length { get; private set; } = length;

        public ReadOnlyMemory<byte> Bytes => Buffer.AsMemory(0, Length);

        /// <summary>Writes at <paramref name="within"/>; returns how many bytes the buffer grew by.</summary>
        public long Write(int within, ReadOnlySpan<byte> data)
        {
            var grown = 0L;
            var end = within + data.Length;
            if (end > Buffer.Length)
            {
                var bigger = new byte[Math.Min(chunkSize, Math.Max(end, Buffer.Length * 2))];
                Buffer.AsSpan(0, Length).CopyTo(bigger);
                grown = bigger.Length - Buffer.Length;
                Buffer = bigger;
            }
            // A gap between the old end and this write is zeros (a cut may have left old bytes there).
            if (within > Length) Buffer.AsSpan(Length, within - Length).Clear();
            data.CopyTo(Buffer.AsSpan(within));
            Length = Math.Max(Length, end);
            return grown;
        }

        public void Cut(int length) => Length = Math.Min(Length, length);

        public void CopyTo(int within, Span<byte> target)
        {
            var available = Math.Clamp(Length - within, 0, target.Length);
            Buffer.AsSpan(within, available).CopyTo(target);
            target[available..].Clear();
        }
    }
}
