using System.Buffers;
using System.Runtime.ExceptionServices;
using NoKV.Blocks;
using NoKV.Lmdb;

namespace NoKV;

/// <summary>
/// A write session for one file, returned by <see cref="Workspace.OpenWrite"/> and
/// <see cref="Workspace.OpenAppendAsync"/>. It buffers one chunk at a time and uploads each full
/// chunk under a fresh generation's block keys; no reader sees any of it until the session is
/// committed.
/// </summary>
/// <remarks>
/// <para><b>Dispose commits</b> (as Azure Blob write streams do): <c>Dispose</c>/<c>DisposeAsync</c>
/// uploads the last chunk, waits for every upload, and publishes the new version in one metadata
/// transaction — unless the session was aborted or has failed. A published version is whole;
/// otherwise the file keeps its previous version.</para>
/// <para><b>A failure poisons the session.</b> Once any write, flush or block upload fails or is
/// cancelled, the session can never publish: later writes throw <see cref="WriteFailedException"/>,
/// and Dispose publishes nothing and throws <see cref="WriteFailedException"/> with the first
/// failure as its <see cref="Exception.InnerException"/>. A failure no earlier call reported (an
/// upload that failed in the background, the last chunk's upload, or the publish) is thrown by
/// Dispose as it is.</para>
/// <para><b><see cref="Abort"/></b> says "don't publish": later writes are ignored, and Dispose
/// publishes nothing and does not throw, whatever failed before. Use it when the code writing the
/// file fails halfway inside a <c>using</c> block.</para>
/// <para>The blocks of a session that did not publish are deleted (best effort) when it is
/// disposed; any left behind are orphans that <see cref="WorkspaceStore.CollectGarbage"/> reclaims
/// after <see cref="WorkspaceStoreOptions.OrphanGracePeriod"/>. If the publish's metadata commit
/// reports an error after it landed, the session finds the new version in the metadata and keeps
/// its blocks (Dispose still throws that error: the new version is visible, its durability was not
/// confirmed). A session never disposed publishes nothing (its finalizer only lets GC treat its
/// blocks as orphans).</para>
/// <para>Not thread-safe: one writer at a time, as for any <see cref="Stream"/>.</para>
/// </remarks>
public sealed class WorkspaceWriteStream : Stream
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
    private readonly Action<Streams.PendingFile> _publish;
    private readonly Action? _onClosed;
    private readonly IDisposable _hold;
    private readonly Queue<Upload> _inFlight = new();
    private readonly ChunkBufferRecycler _buffers;
    private byte[]? _buffer;
    private int _filled;
    private long _length;
    private bool _registered;
    private bool _aborted;
    private bool _closed;
    private Exception? _failure;
    private bool _failureReported;

    // publish takes the finished file: FileContent publishes it at once; import passes a
    // collector that publishes files in batches.
    // borrowed: whole chunks of an older generation kept unchanged (append, truncate); the new
    // generation then uses that file's chunk size. onClosed runs once the session ends, either way
    // (from the finalizer too, so it must be cheap and touch only memory).
    internal WorkspaceWriteStream(WorkspaceStore store, string wsPath, long wsId, string[] segments, string path, Action<Streams.PendingFile> publish,
        IReadOnlyList<ChunkRecord>? borrowed = null, int chunkSize = 0, Action? onClosed = null)
    {
        try
        {
            // First: a session must not write into a workspace that expiry is dropping.
            _hold = store.Holds.Hold(wsId, wsPath);
        }
        catch
        {
            GC.SuppressFinalize(this); // nothing to close: the finalizer must not see a half-built session
            throw;
        }
        _onClosed = onClosed;
        _publish = publish;
        _store = store;
        _wsPath = wsPath;
        _wsId = wsId;
        _segments = segments;
        _path = path;
        _chunkSize = chunkSize > 0 ? chunkSize : store.ChunkSize;
        _buffers = new ChunkBufferRecycler(store.MaxParallelUploads + 1);
        if (borrowed is not null)
        {
            _chunks.AddRange(borrowed);
            _length = (long)borrowed.Count * _chunkSize;
        }
        _blockInode = store.Ids.Next();
        _gen = store.Ids.Next();
        store.Telemetry.StreamOpened(writable: true);
    }

    /// <summary>Finalizer: a session nobody disposed never publishes; its blocks become orphans for GC.</summary>
    ~WorkspaceWriteStream() => Dispose(false);

    /// <summary>The path of the file being written, inside its workspace.</summary>
    public string FilePath => _path;

    /// <summary>
    /// Abandons the session: nothing it wrote will be published. Later writes and flushes are
    /// ignored (so wrappers that flush on dispose stay quiet). Dispose is still needed (it deletes
    /// the uploaded blocks) and then neither publishes nor throws. Does nothing once the session is closed.
    /// </summary>
    public void Abort()
    {
        if (!_closed) _aborted = true;
    }

    /// <summary>
    /// Ends the file with whole chunks of the generation being edited, kept unchanged (the rest of
    /// a file after a write in its middle): the chunks are shared, not copied. Only at a chunk
    /// boundary, and nothing may be written after them.
    /// </summary>
    internal void EndWithBorrowed(IReadOnlyList<ChunkRecord> chunks, long bytes)
    {
        if (_filled != 0 || _length % _chunkSize != 0) throw new InvalidOperationException("Borrowed chunks continue a file only at a chunk boundary.");
        _chunks.AddRange(chunks);
        _length += bytes;
    }

    /// <summary>
    /// Runs <paramref name="write"/> on this session, then disposes it, which commits. If
    /// <paramref name="write"/> throws, the session is aborted first, so nothing half-written is
    /// published and its failure is thrown as it is (Dispose then discards quietly).
    /// </summary>
    internal async Task WriteThenCommitAsync(Func<WorkspaceWriteStream, Task> write)
    {
        await using (this.ConfigureAwait(false))
        {
            try
            {
                await write(this).ConfigureAwait(false);
            }
            catch
            {
                Abort();
                throw;
            }
        }
    }

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => !_closed && !_aborted && Volatile.Read(ref _failure) is null;

    /// <inheritdoc />
    public override long Length => _length;

    /// <inheritdoc />
    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException("Write streams are append-only; write the file in order.");
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!CheckUsable()) return;
        try
        {
            while (!buffer.IsEmpty)
            {
                var n = Append(buffer);
                buffer = buffer[n..];
                // Sync over async only here, for a caller that chose the synchronous API.
                if (_filled == _chunkSize) StoreChunkAsync(final: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception e)
        {
            PoisonAndReport(e);
            throw;
        }
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!CheckUsable()) return;
        try
        {
            // A cancelled write may have stored part of its data: the session cannot publish any more.
            cancellationToken.ThrowIfCancellationRequested();
            while (!buffer.IsEmpty)
            {
                var n = Append(buffer.Span);
                buffer = buffer[n..];
                if (_filled == _chunkSize) await StoreChunkAsync(final: false, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            PoisonAndReport(e);
            throw;
        }
    }

    /// <inheritdoc />
    public override void WriteByte(byte value) => Write([value]);

    /// <summary>
    /// Waits until every full chunk written so far is stored. Nothing becomes visible to readers
    /// before Dispose publishes; the last partial chunk is uploaded then, so chunks stay aligned.
    /// </summary>
    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc cref="Flush"/>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!CheckUsable()) return;
        try
        {
            await DrainUploadsAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            PoisonAndReport(e);
            throw;
        }
    }

    /// <summary>
    /// False after <see cref="Abort"/>: the call does nothing, so a wrapper that flushes on dispose
    /// (a StreamWriter, a GZipStream) does not throw. Throws once the session is closed or failed.
    /// </summary>
    private bool CheckUsable()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_aborted) return false;
        if (Volatile.Read(ref _failure) is { } failure)
        {
            _failureReported = true;
            throw new WriteFailedException(_path, failure);
        }
        return true;
    }

    /// <summary>Records the session's first failure; from then on it can never publish.</summary>
    private void Poison(Exception e) => Interlocked.CompareExchange(ref _failure, e, null);

    /// <summary>A failure a caller's write or flush is about to see: Dispose will report it wrapped.</summary>
    private void PoisonAndReport(Exception e)
    {
        Poison(e);
        _failureReported = true;
    }

    /// <summary>
    /// The longest this file may grow: the store's limit, and at most MaxFileChunks chunks of
    /// this file's own chunk size (which may be smaller than the store's, after a chunk size change).
    /// </summary>
    private long MaxLength => Math.Min(_store.MaxFileSize, (long)_chunkSize * WorkspaceStoreOptions.MaxFileChunks);

    private int Append(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxLength - _length) throw new FileTooLargeException(_path, _length + data.Length, MaxLength);
        // Small files get a small buffer that grows as needed; once a file has filled a chunk,
        // later chunks start at full size.
        var needed = Math.Min(_chunkSize, _filled + data.Length);
        if (_buffer is null || _buffer.Length < needed)
        {
            var size = _uploaded.Count > 0 ? _chunkSize : Math.Min(_chunkSize, Math.Max(needed, (_buffer?.Length ?? 0) * 2));
            var grown = _buffers.Rent(size);
            if (_buffer is not null)
            {
                _buffer.AsSpan(0, _filled).CopyTo(grown);
                _buffers.Return(_buffer);
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
    /// Appends <paramref name="count"/> zero bytes (a file grown by truncate, or the gap before a
    /// write past its end): whole chunks of zeros are recorded as zero chunks, stored nowhere, so
    /// growing a file costs metadata per chunk and no disk for its bytes.
    /// </summary>
    internal async ValueTask WriteZerosAsync(long count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!CheckUsable()) return;
        if (count > MaxLength - _length)
        {
            var tooLarge = new FileTooLargeException(_path, _length > long.MaxValue - count ? long.MaxValue : _length + count, MaxLength);
            PoisonAndReport(tooLarge);
            throw tooLarge;
        }
        // Up to the next chunk boundary as bytes (the partial chunk being filled), ...
        var toBoundary = _filled == 0 ? 0 : Math.Min(count, _chunkSize - _filled);
        await WriteZeroBytesAsync(toBoundary, cancellationToken).ConfigureAwait(false);
        count -= toBoundary;
        // ... whole chunks as zero chunks, ...
        while (count >= _chunkSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _chunks.Add(ChunkRecord.Zeros(_chunkSize));
            _length += _chunkSize;
            count -= _chunkSize;
        }
        // ... and the rest as bytes again.
        await WriteZeroBytesAsync(count, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteZeroBytesAsync(long count, CancellationToken cancellationToken)
    {
        if (count == 0) return;
        var zeros = new byte[Math.Min(count, 64 * 1024)];
        while (count > 0)
        {
            var n = (int)Math.Min(zeros.Length, count);
            await WriteAsync(zeros.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            count -= n;
        }
    }

    /// <summary>
    /// Stores the buffered chunk where it belongs: a full chunk of zeros as a zero chunk (no
    /// block), the session's last chunk inline when it is small (no block, no block fsync: it
    /// commits with the metadata), anything else as a block, uploaded in the background.
    /// </summary>
    private ValueTask StoreChunkAsync(bool final, CancellationToken cancellationToken)
    {
        var length = _filled;
        var data = _buffer.AsSpan(0, length);
        if (length == _chunkSize && !data.ContainsAnyExcept((byte)0))
        {
            _chunks.Add(ChunkRecord.Zeros(length));
        }
        else if (final && length <= _store.InlineThreshold)
        {
            _chunks.Add(ChunkRecord.Inline(data, _wsId, _blockInode, _gen, _chunks.Count));
        }
        else
        {
            return UploadChunkAsync(final, cancellationToken);
        }
        _buffers.Return(_buffer!);
        _buffer = null;
        _filled = 0;
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Hands the full buffer to an upload and returns once fewer than MaxParallelUploads are in
    /// flight, so the writer fills the next chunk while earlier ones are checksummed and stored (a
    /// local store's put includes its fsync). An upload that fails poisons the session even if
    /// nobody awaits it yet.
    /// </summary>
    private async ValueTask UploadChunkAsync(bool final, CancellationToken cancellationToken)
    {
        // An upload in flight failed: stop uploading chunks of a session that cannot publish.
        if (Volatile.Read(ref _failure) is { } failed) ExceptionDispatchInfo.Throw(failed);
        if (!_registered)
        {
            // Recorded before the first block exists, so GC knows whose blocks these are.
            _store.Pending.Register(_gen, _wsId, _blockInode);
            _registered = true;
        }
        var buffer = _buffer!;
        var length = _filled;
        var index = _chunks.Count;
        var key = BlockKeys.Of(_wsId, _blockInode, _gen, index);
        _uploaded.Add(key);
        // The checksum is filled in when the upload finishes (it is computed beside the put, off
        // the writer's thread); every upload is drained before anything is published.
        _chunks.Add(ChunkRecord.InBlock(length, 0, _wsId, _blockInode, _gen, index));
        _buffer = null;
        _filled = 0;
        // The upload belongs to the session, not to this call: it outlives the call, and a token
        // cancelled after the call returned must not fail it. The caller's token bounds only the
        // wait for a free upload slot (a cancelled wait poisons the session like any cancelled write).
        // On the thread pool: a block store may complete synchronously (the local one does), and
        // then the writer would wait for every put instead of filling the next chunk. Except the
        // session's last chunk with nothing else in flight (every small file): it has nothing to
        // overlap with, and many small-file writers each queueing a blocking put on a pool of a
        // few threads starved it (32 writers: 2,383 -> ~500 writes/s, group-commit batches 1.15).
        var upload = final && _inFlight.Count == 0
            ? UploadAsync(key, buffer, length)
            : Task.Run(() => UploadAsync(key, buffer, length), CancellationToken.None);
        _inFlight.Enqueue(new Upload(index, upload));
        while (_inFlight.Count >= _store.MaxParallelUploads)
        {
            // Dequeued only once finished: a failed or still-running upload stays for Dispose to drain.
            await _inFlight.Peek().Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            Completed(_inFlight.Dequeue());
        }
    }

    /// <summary>An upload in flight: the chunk it stores and its put, which yields the chunk's checksum.</summary>
    private readonly record struct Upload(int Index, Task<ulong> Task);

    /// <summary>Records the checksum of a finished upload in its chunk; rethrows its failure.</summary>
    private void Completed(Upload upload) =>
        _chunks[upload.Index] = _chunks[upload.Index] with { Checksum = upload.Task.GetAwaiter().GetResult() };

    private async Task<ulong> UploadAsync(string key, byte[] buffer, int length)
    {
        try
        {
            var checksum = ChunkChecksum.Of(buffer.AsSpan(0, length));
            await _store.Blocks.PutAsync(key, buffer.AsMemory(0, length), CancellationToken.None).ConfigureAwait(false);
            return checksum;
        }
        catch (Exception e)
        {
            Poison(e);
            throw;
        }
        finally
        {
            _buffers.Return(buffer);
        }
    }

    /// <summary>Waits for every upload in flight; the first failure is rethrown after all have finished.</summary>
    private async Task DrainUploadsAsync()
    {
        var pending = _inFlight.ToArray();
        _inFlight.Clear();
        try
        {
            await Task.WhenAll(pending.Select(u => u.Task)).ConfigureAwait(false);
        }
        catch
        {
            ExceptionDispatchInfo.Throw(pending.First(u => u.Task.IsFaulted || u.Task.IsCanceled).Task.Exception?.InnerException ?? new OperationCanceledException());
        }
        foreach (var upload in pending) Completed(upload);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Sync over async only here, for a caller that chose the synchronous Dispose.
            if (!_closed) CloseAsync().AsTask().GetAwaiter().GetResult();
        }
        else if (!_closed)
        {
            // Finalizer: never publish and never touch metadata or the block store from here.
            // Whatever was uploaded stays as orphans under the pending record; releasing the
            // in-memory claims lets GC reclaim them after the grace period.
            _closed = true;
            _store.Telemetry.StreamClosed(writable: true);
            if (_registered) _store.Pending.Finished(_gen);
            _onClosed?.Invoke();
            _hold.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (!_closed) await CloseAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Ends the session: publishes it, or — aborted or failed — discards it.</summary>
    private async ValueTask CloseAsync()
    {
        _closed = true;
        _store.Telemetry.StreamClosed(writable: true);
        try
        {
            if (!_aborted && Volatile.Read(ref _failure) is null)
            {
                try
                {
                    if (_filled > 0) await StoreChunkAsync(final: true, CancellationToken.None).ConfigureAwait(false);
                    await DrainUploadsAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    Poison(e);
                }
            }
            // Every upload must have finished (failed ones too) before anything is deleted.
            await WaitForUploadsQuietlyAsync().ConfigureAwait(false);

            var failure = Volatile.Read(ref _failure);
            if (_aborted || failure is not null)
            {
                if (failure is not null && !_aborted) Logging.Log.WriteAbandoned(_store.Logger, failure, _wsPath, _path, _uploaded.Count);
                await DiscardAsync().ConfigureAwait(false);
                if (_aborted) return;
                // A failure the caller already saw from a write or flush is reported wrapped, so it
                // is neither taken for a new one nor silently dropped; one nobody saw yet, as it is.
                if (_failureReported) throw new WriteFailedException(_path, failure!);
                ExceptionDispatchInfo.Throw(failure!);
            }

            try
            {
                _publish(new Streams.PendingFile(_segments, _path, _gen, _blockInode, _length, _chunkSize, _chunks, _uploaded));
            }
            catch (Exception e)
            {
                // The commit may have landed before it reported the error (an fsync failure after
                // the write): the metadata, not the exception, says whether these blocks are published.
                Logging.Log.WriteAbandoned(_store.Logger, e, _wsPath, _path, _uploaded.Count);
                await DiscardAsync().ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            if (_buffer is not null) _buffers.Return(_buffer);
            _buffer = null;
            _buffers.Clear();
            _onClosed?.Invoke();
            _hold.Dispose();
        }
    }

    private async Task WaitForUploadsQuietlyAsync()
    {
        try { await DrainUploadsAsync().ConfigureAwait(false); }
#pragma warning disable CA1031 // Recorded by Poison already; here only the waiting matters.
        catch (Exception) { }
#pragma warning restore CA1031
    }

    /// <summary>Gives up the session's blocks unless its generation was published after all.</summary>
    private Task DiscardAsync() => _registered
        ? BlockCleanup.DiscardUnpublishedAsync(_store.Meta, _store.Blocks, _store.Pending, _gen, _uploaded)
        : Task.CompletedTask;

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Write streams cannot be read.");

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("Write streams are append-only.");

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException("Write streams are append-only.");
}
