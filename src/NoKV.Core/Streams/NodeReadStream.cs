using NoKV.Blocks;
using NoKV.Lmdb;

namespace NoKV.Streams;

/// <summary>
/// Reads one file generation: seekable, with a known length. Loads one chunk at a time (a
/// 10 GiB file never needs more than one chunk of memory) and verifies each chunk's checksum
/// before returning any of its bytes. Holds a lease on the generation so GC leaves it alone,
/// until it is disposed — or, if nobody disposes it, until the finalizer runs: a dropped stream
/// holds its version against GC only as long as it is reachable.
/// </summary>
internal sealed class NodeReadStream : Stream
{
    private readonly WorkspaceStore _store;
    private readonly long _gen;
    private readonly GenerationRecord _record;
    private readonly ChunkRecord[] _chunks;
    private readonly long _snapshotId;
    private byte[]? _chunk;
    private byte[]? _spare;
    private (int Index, Task<int> Read)? _prefetch;
    private int _chunkIndex = -1;
    private int _lastLoaded = -1;
    private long _position;
    private bool _closed;

    public NodeReadStream(WorkspaceStore store, long gen, GenerationRecord record, ChunkRecord[] chunks, long snapshotId)
    {
        _store = store;
        _gen = gen;
        _record = record;
        _chunks = chunks;
        _snapshotId = snapshotId;
        store.Telemetry.StreamOpened(writable: false);
    }

    /// <summary>Releases the lease of a stream nobody disposed, so GC can reclaim its version.</summary>
    ~NodeReadStream() => Dispose(false);

    public override bool CanRead => !_closed;
    public override bool CanSeek => !_closed;
    public override bool CanWrite => false;
    public override long Length => _record.Size;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (TryLocate(out var index, out var within) && CanReadDirect(index, within, count))
            return ReadDirectAsync(buffer.AsMemory(offset, count), index, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (!TryLocate(out var index, out var within)) return 0;
        if (index != _chunkIndex) LoadChunkAsync(index, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return CopyOut(destination, within);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (!TryLocate(out var index, out var within)) return 0;
        if (CanReadDirect(index, within, destination.Length)) return await ReadDirectAsync(destination, index, cancellationToken).ConfigureAwait(false);
        if (index != _chunkIndex) await LoadChunkAsync(index, cancellationToken).ConfigureAwait(false);
        return CopyOut(destination.Span, within);
    }

    /// <summary>
    /// Copies the rest of the file chunk by chunk, reading the next chunk while the current one
    /// is written out; each chunk lands straight in a copy buffer (one copy, not two) and is
    /// verified before it is written.
    /// </summary>
    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(_closed, this);
        if (!TryLocate(out var index, out var within) || within != 0)
        {
            // Mid-chunk: finish this chunk the ordinary way, then continue from the boundary.
            await base.CopyToAsync(destination, bufferSize, cancellationToken).ConfigureAwait(false);
            return;
        }
        var size = _record.ChunkSize + 1;
        var buffers = new[] { System.Buffers.ArrayPool<byte>.Shared.Rent(size), System.Buffers.ArrayPool<byte>.Shared.Rent(size) };
        Task<int>? pending = null;
        try
        {
            pending = ReadVerifiedAsync(index, buffers[0], cancellationToken);
            for (var i = index; i < _chunks.Length; i++)
            {
                var n = await pending!.ConfigureAwait(false);
                // On the thread pool: a block store may complete synchronously (the local one
                // does), and then reading ahead would not overlap with writing out.
                var next = i + 1;
                var spare = buffers[(next - index) % 2];
                pending = next < _chunks.Length ? Task.Run(() => ReadVerifiedAsync(next, spare, cancellationToken), cancellationToken) : null;
                await destination.WriteAsync(buffers[(i - index) % 2].AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                _position += n;
            }
        }
        finally
        {
            // A read still in flight must finish before its buffer goes back to the pool.
            if (pending is not null)
            {
                try { await pending.ConfigureAwait(false); }
#pragma warning disable CA1031 // The exception that ended the copy is the one that matters.
                catch (Exception) { }
#pragma warning restore CA1031
            }
            foreach (var buffer in buffers) System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<int> ReadVerifiedAsync(int index, byte[] buffer, CancellationToken cancellationToken)
    {
        var expected = _chunks[index];
        var read = await ChunkBytes.ReadAsync(_store.Blocks, expected, buffer.AsMemory(0, expected.Length + 1), cancellationToken).ConfigureAwait(false);
        Verify(expected, buffer.AsSpan(0, read));
        return read;
    }

    private static void Verify(ChunkRecord expected, ReadOnlySpan<byte> data)
    {
        if (ChunkChecksum.Mismatch(expected, data) is { } mismatch) throw new BlockCorruptedException(expected.BlockKey, mismatch);
    }

    /// <summary>
    /// A read at a chunk boundary into room for the whole chunk and one more byte goes straight
    /// into the caller's memory: the extra byte catches a block that grew, and nothing is
    /// returned before the checksum matched.
    /// </summary>
    private bool CanReadDirect(int index, int within, int room) => within == 0 && index != _chunkIndex && room > _chunks[index].Length;

    private async ValueTask<int> ReadDirectAsync(Memory<byte> destination, int index, CancellationToken cancellationToken)
    {
        var expected = _chunks[index];
        var target = destination[..(expected.Length + 1)];
        var read = await ChunkBytes.ReadAsync(_store.Blocks, expected, target, cancellationToken).ConfigureAwait(false);
        Verify(expected, target.Span[..read]);
        _position += read;
        return read;
    }

    private bool TryLocate(out int index, out int within)
    {
        index = 0;
        within = 0;
        if (_position >= _record.Size) return false;
        index = (int)(_position / _record.ChunkSize);
        within = (int)(_position % _record.ChunkSize);
        return true;
    }

    private int CopyOut(Span<byte> destination, int within)
    {
        var n = Math.Min(destination.Length, _chunks[_chunkIndex].Length - within);
        _chunk.AsSpan(within, n).CopyTo(destination);
        _position += n;
        return n;
    }

    /// <summary>
    /// Loads and verifies a chunk into the current buffer. A reader going front to back gets the
    /// next chunk read ahead into a spare buffer while it consumes this one, so disk or network
    /// time overlaps with the caller's work; a prefetched chunk is verified when it is used.
    /// </summary>
    private async ValueTask LoadChunkAsync(int index, CancellationToken cancellationToken)
    {
        var expected = _chunks[index];
        var sequential = index == _lastLoaded + 1;
        _chunkIndex = -1;
        int read;
        if (_prefetch is { } prefetch && prefetch.Index == index)
        {
            _prefetch = null;
            read = await prefetch.Read.ConfigureAwait(false);
            (_chunk, _spare) = (_spare, _chunk);
        }
        else
        {
            await AbandonPrefetchAsync().ConfigureAwait(false);
            // One byte past the expected end, so a block that grew is caught as well as one that shrank.
            if (_chunk is null || _chunk.Length < expected.Length + 1) _chunk = new byte[BufferSize];
            read = await ChunkBytes.ReadAsync(_store.Blocks, expected, _chunk.AsMemory(0, expected.Length + 1), cancellationToken).ConfigureAwait(false);
        }
        Verify(expected, _chunk.AsSpan(0, read));
        _chunkIndex = index;
        _lastLoaded = index;

        if (sequential && index + 1 < _chunks.Length && _prefetch is null)
        {
            _spare ??= new byte[BufferSize];
            var next = _chunks[index + 1];
            var spare = _spare;
            _prefetch = (index + 1, Task.Run(async () => await ChunkBytes.ReadAsync(_store.Blocks, next, spare.AsMemory(0, next.Length + 1), CancellationToken.None).ConfigureAwait(false)));
        }
    }

    private int BufferSize => (int)Math.Min(_record.ChunkSize, Math.Max(_record.Size, 1)) + 1;

    /// <summary>Waits out a read-ahead nobody will use (its buffer is about to be reused or dropped).</summary>
    private async ValueTask AbandonPrefetchAsync()
    {
        if (_prefetch is not { } prefetch) return;
        _prefetch = null;
        try { await prefetch.Read.ConfigureAwait(false); }
#pragma warning disable CA1031 // A failed read-ahead matters only if its chunk is read, and then it is read again.
        catch (Exception) { }
#pragma warning restore CA1031
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _record.Size + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0) throw new IOException("Cannot seek before the beginning of the file.");
        _position = target;
        return _position;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw WriteError();
    public override void Write(byte[] buffer, int offset, int count) => throw WriteError();

    private Exception WriteError() => _snapshotId != 0
        ? new ReadOnlySnapshotException(_snapshotId)
        : new NotSupportedException("Read streams cannot be written; use Workspace.OpenWrite.");

    /// <summary>Waits for a read-ahead without blocking a thread, then releases the lease.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (!_closed) await AbandonPrefetchAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false); // Dispose(true): nothing left to wait for
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (!_closed)
        {
            _closed = true;
            _store.Telemetry.StreamClosed(writable: false);
            if (disposing)
            {
                // The read-ahead must finish before the lease goes: GC could otherwise delete the block under it.
                AbandonPrefetchAsync().AsTask().GetAwaiter().GetResult();
                _chunk = null;
                _spare = null;
            }
            // From the finalizer no read-ahead can be running: a running one references this
            // stream, which would then not be collectable. Releasing a lease touches only memory.
            _store.Leases.Release(_gen);
        }
        base.Dispose(disposing);
    }
}
