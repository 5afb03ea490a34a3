using NoKV.Blocks;
using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;
using NoKV.Streams;

namespace NoKV.Engine;

/// <summary>
/// File bytes: opening a version for reading (leased against GC), write sessions that publish a
/// new version of a file, and edits that share the old version's unchanged chunks (append,
/// truncate, a write at an offset). By inode for front ends that hold inode numbers, and by
/// path, composed of the same steps.
/// </summary>
internal sealed class FileContent(WorkspaceStore store, NamespaceMutations mutations)
{
    /// <summary>Opens the version of a file a view shows, by path.</summary>
    public Stream OpenRead(Func<MetaTxn, View> viewOf, string path, long snapshotId)
    {
        var segments = PathRules.Split(path);
        return Open(txn =>
        {
            var (_, node) = NamespaceTree.Resolve(txn, viewOf(txn), segments, path);
            return node.IsFile ? node.Generation : throw new NotAFileException(path, NodeAttributes.KindOf(node.Kind));
        }, path, snapshotId);
    }

    /// <summary>Opens the version of a file a view shows, by inode.</summary>
    public Stream OpenRead(Func<MetaTxn, View> viewOf, long ino, long snapshotId) => Open(txn =>
    {
        var node = NamespaceTree.Node(txn, viewOf(txn), ino);
        return node.IsFile ? node.Generation : throw new NotAFileException($"inode {ino}", NodeAttributes.KindOf(node.Kind));
    }, $"inode {ino}", snapshotId);

    public async Task<byte[]> ReadAllBytes(Func<MetaTxn, View> viewOf, string path, long snapshotId, CancellationToken cancellationToken)
    {
        var stream = OpenRead(viewOf, path, snapshotId);
        await using (stream.ConfigureAwait(false))
        {
            if (stream.Length > Array.MaxLength) throw new NoKVException($"'{path}' is {stream.Length} bytes, too large for one array; use OpenRead.");
            var buffer = new byte[stream.Length];
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer;
        }
    }

    /// <summary>
    /// A write session that creates or replaces the file at a path; it publishes at that path
    /// (resolved again when it commits). The path is checked now, so a bad one fails before any upload.
    /// </summary>
    /// <exception cref="PathNotFoundException">The parent directory does not exist.</exception>
    /// <exception cref="NotAFileException">A directory exists at the path.</exception>
    public WorkspaceWriteStream OpenWrite(WorkspaceRef ws, string path)
    {
        var (segments, normalized) = FilePath(path);
        FindFile(ws, segments, normalized);
        return new WorkspaceWriteStream(store, ws.Path, ws.Id, segments, normalized, PublishAt(ws));
    }

    /// <summary>
    /// A write session that creates or replaces the file <paramref name="name"/> in directory
    /// <paramref name="parent"/>; it publishes into that directory, wherever it is by then.
    /// </summary>
    public WorkspaceWriteStream OpenWrite(WorkspaceRef ws, long parent, string name)
    {
        var path = store.Read(txn =>
        {
            var view = ws.WritableHeadView(txn);
            NamespaceTree.Directory(txn, view, parent);
            var path = NamespaceEdits.ChildPath(txn, view, parent, name);
            if (NamespaceTree.Lookup(txn, view, parent, PathRules.NameBytes(name), path) is { Record.IsFile: false } other) throw new NotAFileException(path, NodeAttributes.KindOf(other.Record.Kind));
            return path;
        });
        return new WorkspaceWriteStream(store, ws.Path, ws.Id, PathRules.Split(path), path, PublishInto(ws, parent));
    }

    /// <summary>A write session that appends to the file at a path, creating it if missing.</summary>
    public async Task<WorkspaceWriteStream> OpenAppend(WorkspaceRef ws, string path, CancellationToken cancellationToken)
    {
        var (segments, normalized) = FilePath(path);
        var ino = FindFile(ws, segments, normalized);
        if (ino is null) return OpenWrite(ws, normalized);
        return (await OpenEditCore(ws, ino.Value, segments, normalized, keep: null, PublishAt(ws), cancellationToken).ConfigureAwait(false)).Stream;
    }

    /// <summary>Sets the length of the file at a path (cut, or extended with zeros).</summary>
    public Task Truncate(WorkspaceRef ws, string path, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var (segments, normalized) = FilePath(path);
        if (length > store.MaxFileSize) throw new FileTooLargeException(normalized, length, store.MaxFileSize);
        var ino = FindFile(ws, segments, normalized) ?? throw new PathNotFoundException(normalized);
        return Truncate(ws, ino, segments, normalized, length, PublishAt(ws), cancellationToken);
    }

    /// <summary>Sets the length of a file by inode (cut, or extended with zeros).</summary>
    public Task Truncate(WorkspaceRef ws, long ino, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var path = PathOf(ws, ino);
        if (length > store.MaxFileSize) throw new FileTooLargeException(path, length, store.MaxFileSize);
        return OnLatestVersion(path, basis => Truncate(ws, ino, PathRules.Split(path), path, length, PublishToInode(ws, ino, path, basis), cancellationToken, basis));
    }

    /// <summary>
    /// Writes <paramref name="data"/> into a file at <paramref name="offset"/> as one new version:
    /// the chunks it does not touch are shared with the old version, the ones it touches are
    /// rewritten, and a gap past the end is filled with zeros. Readers see the old version or
    /// the new one, never a mix.
    /// </summary>
    public async Task WriteAt(WorkspaceRef ws, long ino, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        // The end must be a file length: an overflowing one would fill zeros without end.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, long.MaxValue - data.Length);
        var path = PathOf(ws, ino);
        if (offset + data.Length > store.MaxFileSize) throw new FileTooLargeException(path, offset + data.Length, store.MaxFileSize);
        await OnLatestVersion(path, basis => WriteAtOnce(ws, ino, path, offset, data, basis, cancellationToken)).ConfigureAwait(false);
    }

    private async Task WriteAtOnce(WorkspaceRef ws, long ino, string path, long offset, ReadOnlyMemory<byte> data, EditBasis basis, CancellationToken cancellationToken)
    {
        var segments = PathRules.Split(path);
        var end = offset + data.Length;
        var source = await OpenEditCore(ws, ino, segments, path, keep: offset, PublishToInode(ws, ino, path, basis), cancellationToken, basis).ConfigureAwait(false);
        var (gen, record, chunks) = source.Version;
        await source.Stream.WriteThenCommitAsync(async stream =>
        {
            await WriteZerosAsync(stream, offset, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            if (end >= record.Size) return;
            // The rest of the chunk the write ended in is copied; every chunk after it is shared.
            var chunkSize = source.ChunkSize;
            var boundary = Math.Min(record.Size, (end + chunkSize - 1) / chunkSize * chunkSize);
            if (boundary > end) await CopyOldBytesAsync(gen, record, chunks, end, boundary, stream, cancellationToken).ConfigureAwait(false);
            if (boundary < record.Size) stream.EndWithBorrowed(chunks[(int)(boundary / chunkSize)..], record.Size - boundary);
        }).ConfigureAwait(false);
    }

    private async Task Truncate(WorkspaceRef ws, long ino, string[] segments, string path, long length, Action<PendingFile> publish, CancellationToken cancellationToken, EditBasis? basis = null)
    {
        var edit = await OpenEditCore(ws, ino, segments, path, length, publish, cancellationToken, basis).ConfigureAwait(false);
        await edit.Stream.WriteThenCommitAsync(session => WriteZerosAsync(session, length, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Growing a file fills it with zeros, as on a POSIX file system; whole chunks of them are
    /// holes (zero chunks, stored nowhere).
    /// </summary>
    private static async Task WriteZerosAsync(WorkspaceWriteStream session, long upTo, CancellationToken cancellationToken)
    {
        if (session.Length < upTo) await session.WriteZerosAsync(upTo - session.Length, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An edit session: its stream, the version it edits (leased until the stream ends) and that version's chunk size.</summary>
    private sealed record Edit(WorkspaceWriteStream Stream, (long Gen, GenerationRecord Record, ChunkRecord[] Chunks) Version, int ChunkSize);

    /// <summary>
    /// Opens a write session on a file's inode that starts with the first <paramref name="keep"/>
    /// bytes of its current version (all of it when null): whole chunks are shared, the partial
    /// chunk at the cut is the only data copied. <paramref name="publish"/> says where the new
    /// version goes: at the path (path front ends) or into the same inode (inode front ends).
    /// </summary>
    private async Task<Edit> OpenEditCore(WorkspaceRef ws, long ino, string[] segments, string path, long? keep, Action<PendingFile> publish, CancellationToken cancellationToken, EditBasis? basis = null)
    {
        var (gen, record, chunks) = Lease(txn =>
        {
            var node = NamespaceTree.Node(txn, ws.WritableHeadView(txn), ino, path);
            return node.IsFile ? node.Generation : throw new NotAFileException(path, NodeAttributes.KindOf(node.Kind));
        }, path)!.Value;
        basis?.Gen = gen;
        var released = 0;
        void ReleaseLease()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) store.Leases.Release(gen);
        }

        WorkspaceWriteStream? stream = null;
        try
        {
            // Only an empty file can lack a chunk size (its layout was checked when it was leased).
            var chunkSize = record.ChunkSize > 0 ? record.ChunkSize : store.ChunkSize;
            var kept = Math.Min(keep ?? record.Size, record.Size);
            var whole = (int)(kept / chunkSize);
            stream = new WorkspaceWriteStream(store, ws.Path, ws.Id, segments, path, publish,
                borrowed: chunks[..whole], chunkSize: chunkSize, onClosed: ReleaseLease);
            if (kept > (long)whole * chunkSize)
                await CopyOldBytesAsync(gen, record, chunks, (long)whole * chunkSize, kept, stream, cancellationToken).ConfigureAwait(false);
            return new Edit(stream, (gen, record, chunks), chunkSize);
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

    /// <summary>Copies bytes [from, to) of a leased version into a session.</summary>
    private async Task CopyOldBytesAsync(long gen, GenerationRecord record, ChunkRecord[] chunks, long from, long to, WorkspaceWriteStream session, CancellationToken cancellationToken)
    {
        store.Leases.TryAcquire(gen); // a second lease for the reader; cannot fail while the session holds one
        var reader = new NodeReadStream(store, gen, record, chunks, snapshotId: 0);
        await using (reader.ConfigureAwait(false))
        {
            reader.Position = from;
            var buffer = new byte[to - from];
            await reader.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            await session.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes a finished session at its path, resolved when it commits; an existing file keeps its inode.</summary>
    private Action<PendingFile> PublishAt(WorkspaceRef ws) => Publishing(ws, (writer, record, file) =>
    {
        var parent = NamespaceTree.ResolveParent(writer.Txn, writer.View, file.Segments);
        Publish.IntoDirectory(writer, record.Id, parent, file);
    });

    /// <summary>Publishes a finished session under its name in directory <paramref name="parent"/>, wherever that directory is now.</summary>
    private Action<PendingFile> PublishInto(WorkspaceRef ws, long parent) => Publishing(ws, (writer, record, file) =>
    {
        NamespaceTree.Directory(writer.Txn, writer.View, parent);
        // The directory may have moved since the session opened: the name must still fit there.
        NamespaceEdits.ChildPath(writer.Txn, writer.View, parent, file.Segments[^1]);
        Publish.IntoDirectory(writer, record.Id, parent, file);
    });

    /// <summary>
    /// Publishes a finished edit session as the new version of inode <paramref name="ino"/>;
    /// refuses (and marks <paramref name="basis"/> raced) when another edit published a version
    /// after the one this edit started from, which it would otherwise silently undo.
    /// </summary>
    private Action<PendingFile> PublishToInode(WorkspaceRef ws, long ino, string path, EditBasis basis) => Publishing(ws, (writer, record, file) =>
    {
        var node = NamespaceTree.Node(writer.Txn, writer.View, ino, path);
        if (!node.IsFile) throw new NotAFileException(path, NodeAttributes.KindOf(node.Kind));
        if (node.Generation != basis.Gen)
        {
            basis.Raced = true;
            throw new NoKVException($"'{path}' was changed by another write while this one was being made.");
        }
        Publish.AsVersionOf(writer, record.Id, ino, node, file);
    });

    /// <summary>
    /// A session's publish: <paramref name="place"/> puts the finished version in the namespace
    /// inside one head transaction, timed as a write; then the session's in-memory claim on its
    /// generation ends (GC may judge it by the metadata alone from here).
    /// </summary>
    private Action<PendingFile> Publishing(WorkspaceRef ws, Action<HeadWriter, WorkspaceRecord, PendingFile> place,
        [System.Runtime.CompilerServices.CallerMemberName] string operation = "") => file =>
    {
        using var op = store.Telemetry.Start(Diagnostics.StoreOperation.Write, ws.Path);
        mutations.WithHead(ws, (writer, record) =>
        {
            place(writer, record, file);
            return true;
        }, operation);
        store.Pending.Finished(file.Gen);
        op.Complete();
    };

    /// <summary>The version a by-inode edit started from, and whether another edit published over it first.</summary>
    private sealed class EditBasis
    {
        public long Gen { get; set; }
        public bool Raced { get; set; }
    }

    /// <summary>
    /// Runs a by-inode edit (pwrite, ftruncate) until it publishes on top of the file's latest
    /// version: two concurrent edits of one file both land, as on a POSIX file system, instead of
    /// the later publish undoing the earlier one.
    /// </summary>
    private static async Task OnLatestVersion(string path, Func<EditBasis, Task> edit)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var basis = new EditBasis();
            try
            {
                await edit(basis).ConfigureAwait(false);
                return;
            }
            catch (NoKVException) when (basis.Raced)
            {
                // Its blocks were discarded; start again from the version that won.
            }
        }
        throw new NoKVException($"'{path}' changed too often while being written; try again.");
    }

    /// <summary>
    /// Finds a file's generation in a metadata snapshot and leases it against GC, with its chunk
    /// map; null if <paramref name="find"/> finds no file. If GC condemned the generation between
    /// the snapshot and the lease (the file was overwritten meanwhile), it tries again with fresh
    /// metadata, which shows the new version.
    /// </summary>
    private (long Gen, GenerationRecord Record, ChunkRecord[] Chunks)? Lease(Func<MetaTxn, long?> find, string path)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var found = store.Read(txn =>
            {
                if (find(txn) is not { } gen) return ((long, GenerationRecord, ChunkRecord[])?)null;
                var record = GenerationTable.Get(txn, gen);
                return (gen, record, GenerationTable.Layout(txn, gen, record));
            });
            if (found is null) return null;
            var leased = found.Value.Item1;
            if (!store.Leases.TryAcquire(leased)) continue;
            if (store.Read(txn => GenerationTable.TryGet(txn, leased)) is not null) return found;
            store.Leases.Release(leased);
        }
        throw new NoKVException($"'{path}' changed too often while being opened; try again.");
    }

    private NodeReadStream Open(Func<MetaTxn, long?> find, string path, long snapshotId)
    {
        using var op = store.Telemetry.Start(Diagnostics.StoreOperation.Read);
        var (gen, record, chunks) = Lease(find, path)!.Value;
        return op.Complete(new NodeReadStream(store, gen, record, chunks, snapshotId));
    }

    private static (string[] Segments, string Normalized) FilePath(string path)
    {
        var segments = PathRules.Split(path);
        var normalized = PathRules.Join(segments);
        return segments.Length == 0 ? throw new NotAFileException(normalized) : (segments, normalized);
    }

    /// <summary>The inode of the file at a path in the workspace's head, which is to be written (so it must accept writes); null if nothing is there.</summary>
    private long? FindFile(WorkspaceRef ws, string[] segments, string path) => store.Read(txn =>
    {
        var view = ws.WritableHeadView(txn);
        var parent = NamespaceTree.ResolveParent(txn, view, segments);
        var node = NamespaceTree.Lookup(txn, view, parent, PathRules.NameBytes(segments[^1]), path);
        if (node is null) return (long?)null;
        return node.Value.Record.IsFile ? node.Value.Ino : throw new NotAFileException(path, NodeAttributes.KindOf(node.Value.Record.Kind));
    });

    /// <summary>The path of a file that is to be written (so its workspace must accept writes).</summary>
    private string PathOf(WorkspaceRef ws, long ino) => store.Read(txn =>
    {
        var view = ws.WritableHeadView(txn);
        NamespaceTree.Node(txn, view, ino);
        return NodeReader.PathOf(txn, view, ino) ?? throw new PathNotFoundException($"inode {ino}");
    });
}
