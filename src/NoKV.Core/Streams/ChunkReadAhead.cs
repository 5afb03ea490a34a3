using NoKV.Blocks;
using NoKV.Lmdb;

namespace NoKV.Streams;

/// <summary>
/// Loads the chunks of one file generation for a reader, and reads ahead for a reader going front
/// to back: while the caller consumes chunk i, chunks i+1 … i+<see cref="MaxDepth"/> are read and
/// verified on the thread pool, each into its own pooled buffer. The depth grows by one with each
/// chunk read in order (a reader that stops after the first chunk costs at most one extra read)
/// and drops to nothing on a seek. Memory is bounded: the chunk being consumed plus at most
/// <see cref="MaxDepth"/> read ahead.
/// </summary>
/// <remarks>
/// A chunk that fails to load (missing, corrupted, a store error) fails only the read that reaches
/// it, and its bytes never reach the caller: every load verifies before it completes. A read-ahead
/// runs under the reader's own token, never the caller's, so cancelling one read leaves the queue
/// intact for the next. Not thread-safe: one reader at a time, as for any stream.
/// </remarks>
internal sealed class ChunkReadAhead(IBlockStore blocks, ChunkRecord[] chunks, object owner) : IAsyncDisposable
{
    /// <summary>How many chunks past the current one may be in flight or waiting.</summary>
    public const int MaxDepth = 2;

    private readonly Queue<(int Index, Task<LoadedChunk> Load)> _ahead = new();
    private readonly ChunkBufferRecycler _buffers = new(MaxDepth + 1);
    private CancellationTokenSource _cancel = new();
    private int _depth;
    private int _last = -1;
    private bool _disposed;

    // A running read-ahead keeps the reader reachable, so its finalizer (which releases the lease
    // that keeps GC off these blocks) cannot run under it.
    private readonly object _owner = owner;

    /// <summary>True if chunk <paramref name="index"/> is at the head of the read-ahead (taking it needs no new read).</summary>
    public bool IsQueued(int index) => _ahead.TryPeek(out var head) && head.Index == index;

    /// <summary>
    /// Returns chunk <paramref name="index"/>, verified: the read-ahead's if it queued it,
    /// otherwise read now (after dropping a read-ahead a seek made useless). The caller owns
    /// the result and releases it. A cancelled wait leaves a read-ahead queued for the next try.
    /// </summary>
    public async ValueTask<LoadedChunk> TakeAsync(int index, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var sequential = index == _last + 1;
        if (_ahead.TryPeek(out var head) && head.Index == index)
        {
            await ((Task)head.Load.WaitAsync(cancellationToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!head.Load.IsCompleted) cancellationToken.ThrowIfCancellationRequested();
            _ahead.Dequeue();
            _last = index;
            ReadAhead(index);
            return await head.Load.ConfigureAwait(false); // its bytes, or the failure that chunk met
        }
        if (_ahead.Count > 0) await DiscardAsync().ConfigureAwait(false);
        if (!sequential) _depth = 0;
        // Read ahead first, so the next chunks load while this one does.
        _last = index;
        if (sequential) ReadAhead(index);
        return await LoadAsync(blocks, chunks[index], index, _buffers, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records that the caller is about to read chunk <paramref name="index"/> by itself (straight
    /// into its own memory, when it has room for the whole chunk), so a reader going in order
    /// still gets the following chunks read ahead, overlapping with its own read.
    /// </summary>
    public async ValueTask ReadingDirectlyAsync(int index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // The caller reads directly only a chunk that is not queued: whatever is queued is for another place.
        if (_ahead.Count > 0) await DiscardAsync().ConfigureAwait(false);
        var sequential = index == _last + 1;
        _last = index;
        if (sequential) ReadAhead(index);
        else _depth = 0;
    }

    private void ReadAhead(int index)
    {
        _depth = Math.Min(MaxDepth, _depth + 1);
        var next = _ahead.Count == 0 ? index + 1 : _ahead.Last().Index + 1;
        var token = _cancel.Token;
        while (_ahead.Count < _depth && next < chunks.Length)
        {
            var i = next++;
            // On the thread pool: a block store may complete synchronously (the local one does),
            // and then nothing would overlap with the caller.
            _ahead.Enqueue((i, Task.Run(() => LoadAsync(blocks, chunks[i], i, _buffers, token).AsTask(), token)));
        }
    }

    /// <summary>Stops the read-ahead and waits for what is in flight (its buffers go back to the pool; its failures matter to nobody).</summary>
    public async ValueTask DiscardAsync()
    {
        if (_ahead.Count == 0) return;
        await _cancel.CancelAsync().ConfigureAwait(false);
        var dropped = _ahead.ToArray();
        _ahead.Clear();
        _depth = 0;
        foreach (var (_, load) in dropped)
        {
            await ((Task)load).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (load.IsCompletedSuccessfully) load.Result.Release();
        }
        _cancel.Dispose();
        _cancel = new CancellationTokenSource();
        GC.KeepAlive(_owner);
    }

    /// <summary>
    /// Discards the read-ahead, waiting for it: the reader's lease may be released only after this.
    /// The reader releases the chunk it holds first, so its buffer is recycled too.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await DiscardAsync().ConfigureAwait(false);
        _cancel.Dispose();
        _buffers.Clear();
    }

    /// <summary>Reads and verifies one chunk into a recycled buffer with room for one byte more, so a block that grew shows.</summary>
    private static async ValueTask<LoadedChunk> LoadAsync(IBlockStore blocks, ChunkRecord expected, int index, ChunkBufferRecycler buffers, CancellationToken cancellationToken)
    {
        var buffer = buffers.Rent(expected.Length + 1);
        try
        {
            var read = await ChunkBytes.ReadAsync(blocks, expected, buffer.AsMemory(0, expected.Length + 1), cancellationToken).ConfigureAwait(false);
            ChunkBytes.Verify(expected, buffer.AsSpan(0, read));
            return new LoadedChunk(index, buffer, read, buffers);
        }
        catch
        {
            buffers.Return(buffer);
            throw;
        }
    }
}
