using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;
using NoKV.Streams;

namespace NoKV;

/// <summary>
/// A writable directory tree. Paths inside it are rooted at "/". Every operation is one metadata
/// transaction; a file's new bytes become visible when its write stream is disposed. The handle
/// stays bound to this workspace: if it is deleted (even if another is created at the same path)
/// operations throw <see cref="WorkspaceNotFoundException"/>.
/// </summary>
public sealed class Workspace
{
    private readonly WorkspaceStore _store;
    private readonly long _id;

    internal Workspace(WorkspaceStore store, string path, long id, long rootInode)
    {
        _store = store;
        Path = path;
        _id = id;
        RootInode = rootInode;
    }

    /// <summary>The workspace path in the store, e.g. "/forks/agent-1".</summary>
    public string Path { get; }

    /// <summary>The root directory's inode: stable for the workspace's life, rollbacks included.</summary>
    public long RootInode { get; }

    /// <summary>True if the workspace refuses writes now (<see cref="WorkspaceStore.SetReadOnly"/>); read from the store on each call.</summary>
    /// <exception cref="WorkspaceNotFoundException">The workspace was deleted.</exception>
    public bool IsReadOnly => _store.Read(txn => Ref.Record(txn).IsReadOnly);

    /// <summary>Creates a directory and any missing parents; does nothing if it exists.</summary>
    /// <exception cref="NotADirectoryException">A file is in the way.</exception>
    public void CreateDirectory(string path) => _store.Mutations.CreateDirectory(Ref, path);

    /// <summary>
    /// Creates or truncates a file and returns a stream that writes it. Readers see the old
    /// version (or nothing) until the stream is disposed, which publishes the new version
    /// atomically — unless the stream was aborted (<see cref="WorkspaceWriteStream.Abort"/>) or
    /// any of its writes failed, and then the file keeps its old version (see
    /// <see cref="WorkspaceWriteStream"/> for the rules). The parent directory must exist.
    /// </summary>
    /// <exception cref="PathNotFoundException">The parent directory does not exist.</exception>
    /// <exception cref="NotAFileException">A directory exists at the path.</exception>
    public WorkspaceWriteStream OpenWrite(string path) => _store.Content.OpenWrite(Ref, path);

    /// <summary>
    /// Opens a file for appending (creating it if missing). The new version shares the old one's
    /// whole chunks and rewrites only its last partial chunk; readers see the old version until
    /// the stream is disposed. Commit, abort and failure work as for <see cref="OpenWrite"/>.
    /// </summary>
    /// <exception cref="PathNotFoundException">The parent directory does not exist.</exception>
    /// <exception cref="NotAFileException">A directory exists at the path.</exception>
    public Task<WorkspaceWriteStream> OpenAppendAsync(string path, CancellationToken cancellationToken = default) =>
        _store.Content.OpenAppend(Ref, path, cancellationToken);

    /// <summary>
    /// Sets a file's length: cuts it, or extends it with zero bytes. The new version shares the
    /// old one's whole chunks below the cut and rewrites at most one chunk.
    /// </summary>
    /// <exception cref="PathNotFoundException">The file does not exist.</exception>
    /// <exception cref="NotAFileException">The path is a directory.</exception>
    public Task TruncateAsync(string path, long length, CancellationToken cancellationToken = default) =>
        _store.Content.Truncate(Ref, path, length, cancellationToken);

    /// <summary>Opens a file for reading: seekable, with a known length, checksums verified.</summary>
    public Stream OpenRead(string path) => _store.Content.OpenRead(ViewOf, path, snapshotId: 0);

    /// <summary>
    /// Creates or replaces a file with <paramref name="data"/>. If it fails (or is cancelled), the
    /// file keeps its previous version and the failure is thrown as it is.
    /// </summary>
    public async Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await OpenWrite(path).WriteThenCommitAsync(session => session.WriteAsync(data, cancellationToken).AsTask()).ConfigureAwait(false);
    }

    /// <summary>Reads a whole file.</summary>
    public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default) =>
        _store.Content.ReadAllBytes(ViewOf, path, snapshotId: 0, cancellationToken);

    /// <summary>
    /// Describes a file, directory or symbolic link (never the link's target: NoKV does not
    /// follow links, like lstat).
    /// </summary>
    /// <exception cref="PathNotFoundException">Nothing exists at the path.</exception>
    public NodeInfo Stat(string path) => _store.Queries.Stat(ViewOf, path);

    /// <summary>
    /// Creates a symbolic link at <paramref name="path"/> (which must not exist; its parent must)
    /// that points to <paramref name="pathToTarget"/>. The target is stored exactly as given and
    /// never resolved: it may be relative, absolute, or name nothing. The link gets mode 0777 and
    /// this process's uid and gid, as on Linux.
    /// </summary>
    /// <returns>The new link.</returns>
    /// <exception cref="PathAlreadyExistsException">Something exists at the path.</exception>
    /// <exception cref="PathNotFoundException">The parent directory does not exist.</exception>
    /// <exception cref="InvalidPathException">The target is empty, holds a NUL, or is longer than 4,095 UTF-8 bytes.</exception>
    public NodeInfo CreateSymbolicLink(string path, string pathToTarget) => _store.Mutations.CreateSymbolicLink(Ref, path, pathToTarget);

    /// <summary>
    /// Sets the permission bits (setuid, setgid and sticky included) of a file or directory, as
    /// chmod does; its change time becomes now. NoKV stores them and enforces none.
    /// </summary>
    /// <returns>The node as it is now.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> holds bits beyond 07777.</exception>
    /// <exception cref="OperationNotSupportedException">The path is a symbolic link (Linux keeps every link 0777).</exception>
    public NodeInfo SetUnixFileMode(string path, UnixFileMode mode) =>
        _store.Mutations.SetAttributes(Ref, path, new Engine.AttributeChange(Mode: Engine.AttributeRules.Mode(mode, nameof(mode))));

    /// <summary>
    /// Sets the modification time of a file, directory or link (the link itself), as touch -m
    /// does; its change time becomes now. 100 ns resolution.
    /// </summary>
    /// <returns>The node as it is now.</returns>
    public NodeInfo SetLastWriteTime(string path, DateTimeOffset lastWriteTime) =>
        _store.Mutations.SetAttributes(Ref, path, new Engine.AttributeChange(ModifiedUtcTicks: Engine.AttributeRules.Ticks(lastWriteTime)));

    /// <summary>
    /// Sets the owner uid and group gid of a file, directory or link (the link itself), as lchown
    /// does; its change time becomes now. NoKV stores them and enforces nothing.
    /// </summary>
    /// <returns>The node as it is now.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An id is negative or above 4,294,967,294.</exception>
    public NodeInfo SetOwner(string path, long ownerId, long groupId) =>
        _store.Mutations.SetAttributes(Ref, path, new Engine.AttributeChange(
            OwnerId: Engine.AttributeRules.Id(ownerId, nameof(ownerId)), GroupId: Engine.AttributeRules.Id(groupId, nameof(groupId))));

    /// <summary>True if a file, directory or symbolic link exists at the path (a dangling link exists).</summary>
    public bool Exists(string path) => _store.Queries.Exists(ViewOf, path);

    /// <summary>Lists a directory, in ordinal name order.</summary>
    public IReadOnlyList<NodeInfo> List(string directoryPath) => _store.Queries.List(ViewOf, directoryPath);

    /// <summary>
    /// Lists a directory as an async stream, read a page at a time, so memory stays bounded for
    /// any directory size; entries come in name order by UTF-8 bytes (Unicode code point order),
    /// and an entry present for the whole enumeration is listed exactly once.
    /// </summary>
    /// <exception cref="PathNotFoundException">The directory does not exist.</exception>
    /// <exception cref="NotADirectoryException">The path is a file.</exception>
    public IAsyncEnumerable<NodeInfo> EnumerateAsync(string directoryPath, CancellationToken cancellationToken = default) =>
        _store.Queries.Enumerate(ViewOf, directoryPath, cancellationToken);

    /// <summary>
    /// Moves (renames) a file or directory. The destination must not exist; its parent must.
    /// Everything below a moved directory moves with it and must stay within the path limits: a
    /// directory moved deeper or to a longer path has its subtree measured first (O(subtree));
    /// one moved to the same or a shallower depth and no longer path needs no walk.
    /// </summary>
    /// <exception cref="InvalidMoveException">A directory into itself or its descendant, or the root.</exception>
    /// <exception cref="PathLimitExceededException">A node below the moved directory would land deeper than 256 segments or beyond 4,096 bytes; nothing moved.</exception>
    /// <exception cref="PathAlreadyExistsException">The destination exists.</exception>
    public void Move(string from, string to) => _store.Mutations.Move(Ref, from, to);

    /// <summary>Deletes a file, or a directory (with <paramref name="recursive"/> if it is not empty).</summary>
    /// <exception cref="DirectoryNotEmptyException">The directory has entries and <paramref name="recursive"/> is false.</exception>
    public void Delete(string path, bool recursive = false) => _store.Mutations.Delete(Ref, path, recursive);

    /// <summary>
    /// Copies a real directory tree into <paramref name="targetPath"/> (created if missing),
    /// replacing files and links that exist. Blocks are uploaded first and metadata published in
    /// batches of a thousand entries, each batch one transaction: a failure leaves earlier batches
    /// imported and no file half-written. Directories, regular files and symbolic links are
    /// imported, each with its permission bits (setuid, setgid and sticky included), owner uid and
    /// gid, and modification time; the target directory takes the source root's. A symbolic link
    /// is stored as a link with its target byte for byte, never followed or read through (on
    /// Linux every entry is read relative to its open directory, without following links); a
    /// link whose target is not UTF-8 or is longer than 4,095 bytes is skipped. Special files
    /// (named pipes, sockets, devices) are recognised without being opened, so an import never
    /// blocks on one, and skipped. Everything skipped is listed in <see cref="ImportResult.Skipped"/>.
    /// Off Linux, attributes are what .NET reports (mode, last write time) and the owner is this
    /// process's user and group.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The source directory does not exist.</exception>
    /// <exception cref="InvalidPathException">A source name is not a valid NoKV name (e.g. too long).</exception>
    /// <exception cref="PathLimitExceededException">A source entry would land deeper than 256 segments or beyond 4,096 bytes below the target.</exception>
    public Task<ImportResult> ImportAsync(string sourceDirectory, string targetPath = "/", CancellationToken cancellationToken = default) =>
        _store.ImportAsync(Path, _id, sourceDirectory, targetPath, null, cancellationToken);

    /// <inheritdoc cref="ImportAsync(string, string, CancellationToken)"/>
    public Task<ImportResult> ImportAsync(string sourceDirectory, string targetPath, ImportOptions? options, CancellationToken cancellationToken = default) =>
        _store.ImportAsync(Path, _id, sourceDirectory, targetPath, options?.Progress, cancellationToken);

    /// <summary>Takes a snapshot of the whole workspace. O(1).</summary>
    public SnapshotPin Snapshot() => _store.Snapshot(Path, _id);

    /// <summary>Makes the workspace's content exactly the snapshot's again; path and root inode stay. O(1).</summary>
    /// <exception cref="UnrelatedSnapshotException">The snapshot is not of this workspace's lineage.</exception>
    public void Rollback(SnapshotPin snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _store.Rollback(Path, snapshot.Id, _id);
    }

    internal View ViewOf(MetaTxn txn) => Ref.HeadView(txn);

    /// <summary>The store this workspace lives in (the agent tools diff through it).</summary>
    internal WorkspaceStore Store => _store;

    /// <summary>This workspace as the engine names it: path and id.</summary>
    internal Engine.WorkspaceRef Ref => new(Path, _id);

    /// <inheritdoc />
    public override string ToString() => Path;
}
