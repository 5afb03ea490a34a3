using System.Buffers;
using NoKV.Blocks;
using NoKV.Lmdb;

namespace NoKV.Streams;

/// <summary>
/// A write session: buffers one chunk at a time, uploads each full chunk to the block store
/// under a fresh generation's keys, and on Dispose/DisposeAsync uploads the last chunk and
/// publishes the new generation in one metadata transaction. Until then no reader sees any of
/// it; if publishing fails, the uploaded blocks are deleted and the previous version stays.
/// </summary>
internal sealed class WorkspaceWriteStream : Stream
{
    private readonly WorkspaceStore _store;
    private readonly string _wsPath;
    private readonly long _wsId;
    private readonly string[] _segments;
    private readonly string _path;
    private readonly long _gen;
    private readonly long _blockInode;
    private readonly int _chunkSize;
    private readonly List<ChunkRecord> _chunks = [];
    private readonly List<string> _uploaded = [];
    private readonly Action<PendingFile> _publish;
    private readonly Action? _onClosed;
    private readonly Queue<Task> _inFlight = new();
    private byte[]? _buffer;
    private int _filled;
    private long _length;
    private bool _closed;

    // publish takes the finished file: by default it is published at once; import passes a
    // collector that publishes files in batches.
    // borrowed: whole chunks of an older generation kept unchanged (append, truncate); the new
    // generation then uses that file's chunk size. onClosed runs once the session ends, either way.
    public WorkspaceWriteStream(WorkspaceStore store, string wsPath, long wsId, string[] segments, string path, Action<PendingFile>? publish = null,
        IReadOnlyList<ChunkRecord>? borrowed = null, int chunkSize = 0, Action? onClosed = null)
    {
        _onClosed = onClosed;
        _publish = publish ?? (file =>
        {
            store.PublishFile(wsPath, wsId, file);
            store.Pending.Finished(file.Gen);
        });
        _store = store;
        _wsPath = wsPath;
        _wsId = wsId;
        _segments = segments;
        _path = path;
        _chunkSize = chunkSize > 0 ? chunkSize : store.ChunkSize;
        if (borrowed is not null)
        {
            _chunks.AddRange(borrowed);
            _length = (long)borrowed.Count * _chunkSize;
        }
        _blockInode = store.Ids.Next();
        _gen = store.Ids.Next();
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_closed;
    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException("Write streams are append-only; write the file in order.");
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        while (!data.IsEmpty)
        {
            var n = Append(data);
            data = data[n..];
            if (_filled == _chunkSize) UploadChunkAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        while (!data.IsEmpty)
        {
            var n = Append(data.Span);
            data = data[n..];
            if (_filled == _chunkSize) await UploadChunkAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    private int Append(ReadOnlySpan<byte> data)
    {
        // Small files get a small buffer that grows as needed; once a file has filled a chunk,
        // later chunks start at full size.
        var needed = Math.Min(_chunkSize, _filled + data.Length);
        if (_buffer is null || _buffer.Length < needed)
        {
            var size = _uploaded.Count > 0 ? _chunkSize : Math.Min(_chunkSize, Math.Max(needed, (_buffer?.Length ?? 0) * 2));
            var grown = ArrayPool<byte>.Shared.Rent(size);
            if (_buffer is not null)
            {
                _buffer.AsSpan(0, _filled).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_buffer);
            }
            _buffer = grown;
        }
        var n = Math.Min(data.Length, _chunkSize - _filled);
        data[..n].CopyTo(_buffer.AsSpan(_filled));
        _filled += n;
        _length += n;
        return n;
    }

    /// <summary>
    /// Hands the full buffer to an upload and returns once fewer than MaxParallelUploads are in
    /// flight, so a large file streams to a slow block store several chunks at a time.
    /// </summary>
    private async ValueTask UploadChunkAsync(CancellationToken cancellationToken)
    {
        var buffer = _buffer!;
        var length = _filled;
        var key = BlockKeys.Of(_wsId, _blockInode, _gen, _chunks.Count);
        if (_uploaded.Count == 0) _store.Pending.Register(_gen, _wsId, _blockInode);
        _uploaded.Add(key);
        _chunks.Add(new ChunkRecord(length, ChunkChecksum.Of(buffer.AsSpan(0, length)), _wsId, _blockInode, _gen, _chunks.Count));
        _buffer = null;
        _filled = 0;
        _inFlight.Enqueue(UploadAsync(key, buffer, length, cancellationToken));
        while (_inFlight.Count >= _store.MaxParallelUploads) await _inFlight.Dequeue().ConfigureAwait(false);
    }

    private async Task UploadAsync(string key, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        try
        {
            await _store.Blocks.PutAsync(key, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Waits for every upload; the first failure is rethrown after all have finished.</summary>
    private async Task DrainUploadsAsync()
    {
        var pending = _inFlight.ToArray();
        _inFlight.Clear();
        try
        {
            await Task.WhenAll(pending).ConfigureAwait(false);
        }
        catch
        {
            throw pending.First(t => t.IsFaulted).Exception!.InnerException!;
        }
    }

    /// <summary>
    /// Waits until every full chunk written so far is stored. Nothing becomes visible to readers
    /// before Dispose publishes; the last partial chunk is uploaded then, so chunks stay aligned.
    /// </summary>
    public override void Flush() => DrainUploadsAsync().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => DrainUploadsAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed) CloseAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_closed) await CloseAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    private async ValueTask CloseAsync()
    {
        _closed = true;
        try
        {
            if (_filled > 0) await UploadChunkAsync(CancellationToken.None).ConfigureAwait(false);
            await DrainUploadsAsync().ConfigureAwait(false);
            _publish(new PendingFile(_segments, _path, _gen, _blockInode, _length, _chunkSize, _chunks, _uploaded));
        }
        catch (Exception e)
        {
            // Uploads still running must finish before their blocks can be deleted.
            try { await DrainUploadsAsync().ConfigureAwait(false); }
#pragma warning disable CA1031 // The failure being handled is the one to report.
            catch (Exception) { }
#pragma warning restore CA1031
            Logging.Log.WriteAbandoned(_store.Logger, e, _wsPath, _path, _uploaded.Count);
            await BlockCleanup.DeleteQuietlyAsync(_store.Blocks, _uploaded).ConfigureAwait(false);
            if (_uploaded.Count > 0) _store.Pending.Abandon(_gen);
            throw;
        }
        finally
        {
            if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _onClosed?.Invoke();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Write streams cannot be read.");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("Write streams are append-only.");
    public override void SetLength(long value) => throw new NotSupportedException("Write streams are append-only.");
}
