using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;

namespace NoKV.Engine;

/// <summary>
/// Publishes a <see cref="ChunkPatch"/> as ONE new version of a file, the way
/// <see cref="FileContent.WriteAt"/> makes one: whole chunks the patch leaves alone are borrowed
/// from the basis (not copied), replaced chunks are written, a partial chunk at a cut is copied,
/// and whole chunks of zeros are stored nowhere. A mount gathers many write(2) calls into one
/// patch and publishes it at flush, fsync or close, so a file gets one version per close, not one
/// per write.
/// </summary>
internal static class ChunkPatches
{
    /// <summary>
    /// Writes the patch's version and publishes it as the version of <paramref name="ino"/> in
    /// the workspace's head; returns the file's attributes as published.
    /// </summary>
    /// <exception cref="VersionRacedException">The file's version is no longer the patch's basis; nothing was published.</exception>
    /// <exception cref="PathNotFoundException">The inode is no longer in the workspace (unlinked).</exception>
    /// <exception cref="FileTooLargeException">The size is beyond the store's largest file.</exception>
    public static async Task<NodeAttributes> PublishAsync(WorkspaceStore store, WorkspaceRef ws, long ino, ChunkPatch patch, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(patch.Size);
        var path = store.Read(txn =>
        {
            var view = ws.WritableHeadView(txn);
            NamespaceTree.Node(txn, view, ino);
            return NodeReader.PathOf(txn, view, ino) ?? throw new PathNotFoundException($"inode {ino}");
        });
        if (patch.Size > store.MaxFileSize) throw new FileTooLargeException(path, patch.Size, store.MaxFileSize);
        var basis = patch.Basis;
        NodeAttributes? published = null;
        var stream = new WorkspaceWriteStream(store, ws.Path, ws.Id, PathRules.Split(path), path, file =>
        {
            using var op = store.Telemetry.Start(Diagnostics.StoreOperation.Write, ws.Path);
            published = store.Mutations.WithHead(ws, (writer, record) =>
            {
                var node = NamespaceTree.Node(writer.Txn, writer.View, ino, path);
                if (!node.IsFile) throw new NotAFileException(path, NodeAttributes.KindOf(node.Kind));
                if (node.Generation != basis.Generation) throw new VersionRacedException(path);
                Publish.AsVersionOf(writer, record.Id, ino, node, file);
                return NodeAttributes.Of(ino, NamespaceTree.Node(writer.Txn, writer.View, ino, path));
            }, "WriteChunks");
            store.Pending.Finished(file.Gen);
            op.Complete();
        }, chunkSize: basis.ChunkSize);
        await stream.WriteThenCommitAsync(session => WriteChunksAsync(session, patch, cancellationToken)).ConfigureAwait(false);
        return published ?? throw new InvalidOperationException("The session committed without publishing.");
    }

    private static async Task WriteChunksAsync(WorkspaceWriteStream session, ChunkPatch patch, CancellationToken cancellationToken)
    {
        var basis = patch.Basis;
        long chunkSize = basis.ChunkSize;
        // Base bytes survive only below the cut and below the basis's own end.
        var kept = Math.Min(patch.KeepBelow, basis.Size);
        var count = (patch.Size + chunkSize - 1) / chunkSize;
        var copy = new byte[Math.Min(chunkSize, Math.Max(kept, 1))];
        for (long index = 0; index < count; index++)
        {
            var start = index * chunkSize;
            var end = Math.Min(patch.Size, start + chunkSize);
            if (patch.Chunks.TryGetValue(index, out var bytes))
            {
                var take = (int)Math.Min(bytes.Length, end - start);
                await session.WriteAsync(bytes[..take], cancellationToken).ConfigureAwait(false);
            }
            else if (CanBorrow(basis, kept, patch.Size, index, start, end))
            {
                // Whole chunks in the middle, or the basis's own last chunk unchanged at the end.
                session.EndWithBorrowed([basis.Chunks[index]], end - start);
                continue;
            }
            else if (start < kept)
            {
                var upTo = Math.Min(end, kept);
                var n = await basis.ReadAsync(start, copy.AsMemory(0, (int)(upTo - start)), cancellationToken).ConfigureAwait(false);
                if (n != upTo - start) throw new StoreCorruptedException($"Version {basis.Generation} ended at {start + n}, before its length {basis.Size}.");
                await session.WriteAsync(copy.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
            // The rest of the chunk is zeros: grown past the cut, or past what a replaced chunk holds.
            if (session.Length < end) await session.WriteZerosAsync(end - session.Length, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A chunk of the basis can be shared when all of it is kept and it is exactly this chunk of
    /// the new version: a whole chunk, or the basis's last (partial) chunk when the new version
    /// ends where the basis does.
    /// </summary>
    private static bool CanBorrow(OpenVersion basis, long kept, long size, long index, long start, long end)
    {
        if (index >= basis.Chunks.Length || end > kept) return false;
        var length = basis.Chunks[index].Length;
        return length == end - start && (length == basis.ChunkSize || (end == size && end == basis.Size));
    }
}
