using NoKV.Blocks;
using NoKV.Lmdb;

namespace NoKV.Streams;

/// <summary>
/// Reads one file generation: seekable, with a known length. Loads one chunk at a time (a
/// 10 GiB file never needs more than one chunk of memory) and verifies each chunk's checksum
/// before returning any of its bytes. Holds a lease on the generation so GC leaves it alone.
/// </summary>
internal sealed class NodeReadStream : Stream
{
    private readonly WorkspaceStore _store;
    private readonly long _gen;
    private readonly GenerationRecord _record;
    private readonly ChunkRecord[] _chunks;
    private readonly long _snapshotId;
    private byte[]? _chunk;
    private int _chunkIndex = -1;
    private long _position;
    private bool _closed;

    public NodeReadStream(WorkspaceStore store, long gen, GenerationRecord record, ChunkRecord[] chunks, long snapshotId)
    {
        _store = store;
        _gen = gen;
        _record = record;
        _chunks = chunks;
        _snapshotId = snapshotId;
    }

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
    /// Copies the rest of the file with chunk-sized reads, so every chunk goes straight into the
    /// copy buffer (one copy, not two).
    /// </summary>
    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(bufferSize, _record.ChunkSize + 1));
        try
        {
            int n;
            while ((n = await ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
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
        var key = expected.BlockKey;
        var target = destination[..(expected.Length + 1)];
        var read = await _store.Blocks.ReadAsync(key, 0, target, cancellationToken).ConfigureAwait(false);
        if (read != expected.Length)
            throw new BlockCorruptedException(key, read > expected.Length ? $"longer than the recorded {expected.Length} bytes" : $"expected {expected.Length} bytes, found {read}");
        if (ChunkChecksum.Of(target.Span[..read]) != expected.Checksum) throw new BlockCorruptedException(key, "checksum mismatch");
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

    private async ValueTask LoadChunkAsync(int index, CancellationToken cancellationToken)
    {
        var expected = _chunks[index];
        var key = expected.BlockKey;
        // Read one byte past the expected end, so a block that grew is caught as well as one that shrank.
        var probe = expected.Length + 1;
        if (_chunk is null || _chunk.Length < probe) _chunk = new byte[probe];
        _chunkIndex = -1;
        var read = await _store.Blocks.ReadAsync(key, 0, _chunk.AsMemory(0, probe), cancellationToken).ConfigureAwait(false);
        if (read != expected.Length)
            throw new BlockCorruptedException(key, read > expected.Length ? $"longer than the recorded {expected.Length} bytes" : $"expected {expected.Length} bytes, found {read}");
        if (ChunkChecksum.Of(_chunk.AsSpan(0, read)) != expected.Checksum)
            throw new BlockCorruptedException(key, "checksum mismatch");
        _chunkIndex = index;
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

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            _chunk = null;
            _store.Leases.Release(_gen);
        }
        base.Dispose(disposing);
    }
}
