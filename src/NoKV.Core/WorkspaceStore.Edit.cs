using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;
using NoKV.Streams;

namespace NoKV;

/// <summary>
/// Append and truncate: a new generation that borrows the old one's whole unchanged chunks and
/// rewrites only the partial chunk at the cut (at most one chunk of copying), then continues.
/// </summary>
public sealed partial class WorkspaceStore
{
    /// <summary>
    /// Opens a write session that starts with the first <paramref name="keep"/> bytes of the file
    /// (all of it when null). Returns null if the file does not exist.
    /// </summary>
    internal async Task<WorkspaceWriteStream?> OpenEditAsync(string wsPath, long wsId, string[] segments, string path, long? keep, CancellationToken cancellationToken)
    {
        var source = LeaseCurrentVersion(wsPath, wsId, segments, path);
        if (source is null) return null;
        var (gen, record, chunks) = source.Value;
        var released = 0;
        void ReleaseLease()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) _leases.Release(gen);
        }

        WorkspaceWriteStream? stream = null;
        try
        {
            var kept = Math.Min(keep ?? record.Size, record.Size);
            var whole = (int)(kept / record.ChunkSize);
            stream = new WorkspaceWriteStream(this, wsPath, wsId, segments, path, borrowed: chunks[..whole], chunkSize: record.ChunkSize, onClosed: ReleaseLease);
            var tail = kept - (long)whole * record.ChunkSize;
            if (tail > 0)
            {
                // The partial chunk at the cut is the only data copied.
                _leases.TryAcquire(gen); // a second lease for the reader; cannot fail while we hold one
                await using var reader = new NodeReadStream(this, gen, record, chunks, snapshotId: 0);
                reader.Position = (long)whole * record.ChunkSize;
                var buffer = new byte[tail];
                await reader.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            return stream;
        }
        catch
        {
            if (stream is not null)
            {
                // Never published, and disposing it ends the session (and releases the lease).
                stream.Abort();
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            ReleaseLease();
            throw;
        }
    }

    /// <summary>The file's current generation, leased so GC leaves it (and the blocks it lends) alone; null if the file does not exist.</summary>
    private (long Gen, GenerationRecord Record, ChunkRecord[] Chunks)? LeaseCurrentVersion(string wsPath, long wsId, string[] segments, string path) =>
        LeaseGeneration(txn =>
        {
            var view = HeadView(txn, GetWorkspace(txn, wsPath, wsId));
            var parentPath = PathRules.Join(segments[..^1]);
            var (_, parent) = NodeReader.Resolve(txn, view, segments[..^1], parentPath);
            if (!parent.IsDirectory) throw new NotADirectoryException(parentPath);
            var node = NodeReader.TryResolve(txn, view, segments, path);
            if (node is null) return null;
            return node.Value.Record.IsFile ? node.Value.Record.Generation : throw new NotAFileException(path);
        }, path);

    internal async Task TruncateIn(string wsPath, long wsId, string path, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var segments = PathRules.Split(path);
        if (segments.Length == 0) throw new NotAFileException(path);
        var normalized = PathRules.Join(segments);
        var stream = await OpenEditAsync(wsPath, wsId, segments, normalized, length, cancellationToken).ConfigureAwait(false)
            ?? throw new PathNotFoundException(normalized);
        await stream.WriteThenCommitAsync(async session =>
        {
            // Growing a file fills it with zeros, as on a POSIX file system.
            var zeros = new byte[Math.Min(1024 * 1024, Math.Max(1, length - session.Length))];
            while (session.Length < length)
            {
                var n = (int)Math.Min(zeros.Length, length - session.Length);
                await session.WriteAsync(zeros.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    internal async Task<WorkspaceWriteStream> OpenAppendIn(string wsPath, long wsId, string path, CancellationToken cancellationToken)
    {
        var segments = PathRules.Split(path);
        if (segments.Length == 0) throw new NotAFileException(path);
        var normalized = PathRules.Join(segments);
        return await OpenEditAsync(wsPath, wsId, segments, normalized, keep: null, cancellationToken).ConfigureAwait(false)
            ?? new WorkspaceWriteStream(this, wsPath, wsId, segments, normalized);
    }
}
