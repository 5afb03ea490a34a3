using NoKV.Blocks;
using NoKV.Lmdb;

namespace NoKV.Streams;

/// <summary>
/// Reads one file generation: seekable, with a known length. Holds the chunk being consumed and,
/// for a reader going front to back, a few chunks read ahead (<see cref="ChunkReadAhead"/>), all
/// in pooled buffers: a 10 GiB file needs no more memory than a few chunks. Every chunk's checksum
/// is verified before any of its bytes is returned. Holds a lease on the generation so GC leaves
/// it alone, until it is disposed — or, if nobody disposes it, until the finalizer runs: a dropped
/// stream holds its version against GC only as long as it is reachable.
/// </summary>
internal sealed class NodeReadStream : Stream
{
    private readonly WorkspaceStore _store;
    private readonly long _gen;
    private readonly GenerationRecord _record;
    private readonly ChunkRecord[] _chunks;
    private readonly long _snapshotId;
    private readonly ChunkReadAhead _readAhead;
    private LoadedChunk? _current;
    private long _position;
    private bool _closed;

    public NodeReadStream(WorkspaceStore store, long gen, GenerationRecord record, ChunkRecord[] chunks, long snapshotId)
    {
        _store = store;
        _gen = gen;
        _record = record;
        _chunks = chunks;
        _snapshotId = snapshotId;
        _readAhead = new ChunkReadAhead(store.Blocks, chunks, this);
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
        // Sync over async only here and below, for a caller that chose the synchronous API.
        if (TryLocate(out var index, out var within) && CanReadDirect(index, within, count))
            return ReadDirectAsync(buffer.AsMemory(offset, count), index, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (!TryLocate(out var index, out var within)) return 0;
        if (index != _current?.Index) MoveToAsync(index, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return CopyOut(destination, within);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (!TryLocate(out var index, out var within)) return 0;
        if (CanReadDirect(index, within, destination.Length)) return await ReadDirectAsync(destination, index, cancellationToken).ConfigureAwait(false);
        if (index != _current?.Index) await MoveToAsync(index, cancellationToken).ConfigureAwait(false);
        return CopyOut(destination.Span, within);
    }

    /// <summary>
    /// Copies the rest of the file chunk by chunk: each chunk, verified, is written out from the
    /// buffer it was read into, while the next ones are read ahead.
    /// </summary>
    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(_closed, this);
        while (TryLocate(out var index, out var within))
        {
            if (index != _current?.Index) await MoveToAsync(index, cancellationToken).ConfigureAwait(false);
            var bytes = _current!.Bytes[within..];
            await destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            _position += bytes.Length;
        }
    }

    /// <summary>
    /// A read at a chunk boundary into room for the whole chunk and one more byte goes straight
    /// into the caller's memory (one copy, not two) unless the chunk was read ahead already: the
    /// extra byte catches a block that grew, and nothing is returned before the checksum matched.
    /// </summary>
    private bool CanReadDirect(int index, int within, int room) =>
        within == 0 && index != _current?.Index && room > _chunks[index].Length && !_readAhead.IsQueued(index);

    private async ValueTask<int> ReadDirectAsync(Memory<byte> destination, int index, CancellationToken cancellationToken)
    {
        var expected = _chunks[index];
        await _readAhead.ReadingDirectlyAsync(index).ConfigureAwait(false);
        var target = destination[..(expected.Length + 1)];
        var read = await ChunkBytes.ReadAsync(_store.Blocks, expected, target, cancellationToken).ConfigureAwait(false);
        ChunkBytes.Verify(expected, target.Span[..read]);
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
        var n = Math.Min(destination.Length, _current!.Length - within);
        _current.Bytes.Span.Slice(within, n).CopyTo(destination);
        _position += n;
        return n;
    }

    /// <summary>Makes chunk <paramref name="index"/> the current one; the previous one's buffer goes back to the pool first.</summary>
    private async ValueTask MoveToAsync(int index, CancellationToken cancellationToken)
    {
        _current?.Release();
        _current = null;
        _current = await _readAhead.TakeAsync(index, cancellationToken).ConfigureAwait(false);
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
        if (!_closed)
        {
            _current?.Release();
            _current = null;
            await _readAhead.DisposeAsync().ConfigureAwait(false);
        }
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
                _current?.Release();
                _current = null;
                // The read-ahead must finish before the lease goes: GC could otherwise delete the block under it.
                _readAhead.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            // From the finalizer no read-ahead can be running: a running one references this
            // stream, which would then not be collectable. Releasing a lease touches only memory.
            _store.Leases.Release(_gen);
        }
        base.Dispose(disposing);
    }
}
