using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;

namespace NoKV;

/// <summary>
/// A store of copy-on-write workspaces: LMDB metadata plus a block store. Snapshot, clone and
/// rollback are one metadata transaction each and cost the same whatever the tree's size; diff
/// of related trees costs what changed. Thread-safe; open one instance per store directory per
/// process and share it.
/// </summary>
public sealed partial class WorkspaceStore : IDisposable, IAsyncDisposable
{
    private readonly MetaDb _meta;
    private readonly StoreLock _lock;
    private readonly IdAllocator _ids;
    private readonly GenerationLeases _leases = new();
    private readonly Blocks.PendingGenerations _pending;
    private readonly WorkspaceStoreOptions _options;
    private int _disposed;

    private WorkspaceStore(WorkspaceStoreOptions options, StoreLock storeLock, MetaDb meta, IBlockStore blocks)
    {
        _options = options;
        _lock = storeLock;
        Logger = options.LoggerFactory?.CreateLogger<WorkspaceStore>() ?? NullLogger<WorkspaceStore>.Instance;
        _meta = meta;
        Telemetry = new Diagnostics.StoreTelemetry(options.MeterFactory, CountLayersForMetrics);
        Blocks = new Diagnostics.InstrumentedBlockStore(blocks, Telemetry.Instruments); // every block I/O is counted, whoever does it
        _ids = new IdAllocator(meta);
        _pending = new Blocks.PendingGenerations(meta);
        Queries = new Engine.NamespaceQueries(this);
        Mutations = new Engine.NamespaceMutations(this);
        Content = new Engine.FileContent(this, Mutations);
    }

    /// <summary>The store directory.</summary>
    public string Directory => _options.Directory!;

    /// <summary>When this store's metadata changes become durable (see <see cref="WorkspaceStoreOptions.Durability"/>).</summary>
    public Durability Durability => _options.Durability;

    /// <summary>The chunk size new files are written with.</summary>
    public int ChunkSize => _options.ChunkSize;

    /// <summary>The block store file bytes live in. Internal: a block written or deleted behind the metadata's back corrupts the store.</summary>
    internal IBlockStore Blocks { get; }

    // The store disposes a block store it created (the default local one) or that AddNoKV built for it.
    private bool OwnsBlocks => _options.OwnsBlockStore || _options.BlockStore is null;

    internal MetaDb Meta => _meta;
    internal ILogger Logger { get; }
    internal int MaxParallelUploads => _options.MaxParallelUploads;

    /// <summary>Files up to this size (and larger files' small last chunks) are kept inline in the metadata.</summary>
    internal int InlineThreshold => Math.Min(_options.InlineThreshold, _options.ChunkSize);

    /// <summary>The longest a file may be: the option, lowered to <see cref="WorkspaceStoreOptions.MaxFileChunks"/> chunks.</summary>
    internal long MaxFileSize => Math.Min(_options.MaxFileSize, (long)_options.ChunkSize * WorkspaceStoreOptions.MaxFileChunks);
    internal IdAllocator Ids => _ids;
    internal GenerationLeases Leases => _leases;
    internal Blocks.PendingGenerations Pending => _pending;

    /// <summary>The workspaces in use in this process (write sessions, imports, mounts): expiry never drops them under their users.</summary>
    internal Expiry.WorkspaceHolds Holds { get; } = new();

    /// <summary>The clock expiry is measured by (<see cref="WorkspaceStoreOptions.TimeProvider"/>).</summary>
    internal TimeProvider Clock => _options.TimeProvider ?? TimeProvider.System;

    /// <summary>Now by <see cref="Clock"/>, as UTC ticks: creation times and expiries share one clock.</summary>
    internal long NowTicks => Clock.GetUtcNow().UtcDateTime.Ticks;

    /// <summary>Namespace reads by inode and by path (the engine every front end sits on).</summary>
    internal Engine.NamespaceQueries Queries { get; }

    /// <summary>Namespace changes by inode and by path.</summary>
    internal Engine.NamespaceMutations Mutations { get; }

    /// <summary>File bytes: read streams, write sessions, edits.</summary>
    internal Engine.FileContent Content { get; }

    /// <summary>Notice of workspace changes and of closing, for front ends that cache (a mount).</summary>
    internal Engine.WorkspaceChangeSignal Changes { get; } = new();

    /// <summary>Opens (creating if needed) a store in <paramref name="directory"/> with LMDB metadata in {directory}/meta and local blocks in {directory}/blocks.</summary>
    /// <exception cref="StoreCorruptedException">The metadata is damaged, or missing or empty where a store has been (see <see cref="Open(WorkspaceStoreOptions)"/>).</exception>
    /// <exception cref="StoreLockedException">Another process has the store open.</exception>
    public static WorkspaceStore Open(string directory) => Open(new WorkspaceStoreOptions { Directory = directory });

    /// <summary>
    /// Opens (creating if needed) a store with the given options. A store is created only where
    /// none has been: a missing or empty metadata file beside the store's identity file
    /// ({Directory}/nokv.identity) or beside NoKV blocks in the block store is damage, and so is a
    /// metadata file LMDB could not safely map (cut short, damaged meta pages) or one from another
    /// store. Damage throws <see cref="StoreCorruptedException"/> and creates, changes and deletes nothing.
    /// </summary>
    /// <exception cref="StoreCorruptedException">The metadata is damaged, or missing or empty where a store has been.</exception>
    /// <exception cref="StoreLockedException">Another process has the store open.</exception>
    public static WorkspaceStore Open(WorkspaceStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OpenValidated(options.Validated(), FirstBlockKeySynchronously);
    }

    /// <summary>
    /// Opens (creating if needed) a store, as <see cref="Open(WorkspaceStoreOptions)"/> does, without
    /// blocking a thread on a remote block store: the one question opening may ask it (does it
    /// already hold NoKV blocks, when there is no identity file) is awaited here.
    /// </summary>
    /// <exception cref="StoreCorruptedException">The metadata is damaged, or missing or empty where a store has been.</exception>
    /// <exception cref="StoreLockedException">Another process has the store open.</exception>
    public static async Task<WorkspaceStore> OpenAsync(WorkspaceStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validated = options.Validated();
        // The default local store answers synchronously (its I/O is synchronous); a store the
        // caller passed in (S3) is asked here, before the metadata is opened.
        if (validated.BlockStore is not { } given || StoreIdentityFile.Read(validated.Directory!).Exists)
            return OpenValidated(validated, FirstBlockKeySynchronously);
        var firstBlock = await NoKV.Blocks.BlockStoreEvidence.FirstBlockKeyAsync(given, cancellationToken).ConfigureAwait(false);
        return OpenValidated(validated, _ => firstBlock);
    }

    private static string? FirstBlockKeySynchronously(IBlockStore blocks) =>
        NoKV.Blocks.BlockStoreEvidence.FirstBlockKeyAsync(blocks, CancellationToken.None).GetAwaiter().GetResult();

    private static WorkspaceStore OpenValidated(WorkspaceStoreOptions validated, Func<IBlockStore, string?> firstBlockKey)
    {
        try
        {
            return OpenCore(validated, firstBlockKey);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The store directory holds something of the wrong kind or cannot be used (a
            // directory where a file belongs, a file where a directory belongs, no permission).
            throw new NoKVException($"The store at {validated.Directory} cannot be opened: {e.Message}", e);
        }
    }

    private static WorkspaceStore OpenCore(WorkspaceStoreOptions validated, Func<IBlockStore, string?> firstBlockKey)
    {
        var directory = validated.Directory!;
        System.IO.Directory.CreateDirectory(directory);
        var storeLock = StoreLock.Acquire(directory);
        MetaDb? meta = null;
        IBlockStore? blocks = null;
        Exception? identityNotWritten = null;
        try
        {
            blocks = validated.BlockStore ?? new LocalBlockStore(Path.Combine(directory, "blocks"));
            var identity = StoreIdentityFile.Read(directory);
            meta = MetaDb.Open(Path.Combine(directory, "meta"), validated.MaxMetadataSize, () => EvidenceOfAStore(directory, identity, () => firstBlockKey(blocks)));
            var logger = validated.LoggerFactory?.CreateLogger<WorkspaceStore>() ?? NullLogger<WorkspaceStore>.Instance;
            meta.ConfigureDeferredCommits(validated.FlushInterval, e => Logging.Log.DeferredCommitFailed(logger, e, directory), everyWrite: validated.Durability == Durability.Deferred);
            if (identity.StoreId is { } named && named != meta.StoreId)
            {
                throw new StoreCorruptedException(
                    $"The metadata in {Path.Combine(directory, "meta")} is store {meta.StoreId:N}'s, but {Path.Combine(directory, StoreIdentityFile.FileName)} names store {named:N}: " +
                    "the metadata was replaced with another store's. Refusing to open it: this store's blocks would look unreferenced. Restore the metadata from a backup.");
            }
            // New stores, stores from before identity files, and a file that was unreadable.
            if (identity.StoreId != meta.StoreId)
            {
                // Best effort: the metadata is sound and committed; a store without the file is
                // still recognised by its blocks, and the next open tries again.
                try { StoreIdentityFile.Write(directory, meta.StoreId); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { identityNotWritten = e; }
            }
        }
        catch
        {
            meta?.Dispose();
            if (validated.BlockStore is null) (blocks as IDisposable)?.Dispose(); // the local store opened here
            storeLock.Dispose();
            throw;
        }
        var store = new WorkspaceStore(validated, storeLock, meta, blocks);
        if (identityNotWritten is not null) Logging.Log.IdentityFileNotWritten(store.Logger, identityNotWritten, directory);
        Logging.Log.StoreOpened(store.Logger, directory, blocks.GetType().Name);
        return store;
    }

    /// <summary>
    /// Asked only when there is no metadata (creating a store, or damage): what shows a store has
    /// been here, or null if nothing does. <paramref name="firstBlock"/> is evaluated only when
    /// there is no identity file: one LIST that stops at the first block.
    /// </summary>
    private static string? EvidenceOfAStore(string directory, StoreIdentityFile identity, Func<string?> firstBlock)
    {
        if (identity.Exists) return $"{Path.Combine(directory, StoreIdentityFile.FileName)} shows a store was created here";
        return firstBlock() is { } block ? $"the block store already holds NoKV blocks (such as '{block}')" : null;
    }

    /// <summary>
    /// Closes the metadata, committing a deferred batch first. A failed last commit is returned,
    /// to be thrown once everything else is closed too, as a FileStream reports a failed flush.
    /// </summary>
    private DeferredCommitFailedException? CloseMetadata()
    {
        try
        {
            _meta.Dispose();
            return null;
        }
        catch (DeferredCommitFailedException e)
        {
            return e;
        }
    }

    /// <summary>Closes the store. Safe to call more than once.</summary>
    /// <exception cref="DeferredCommitFailedException">With <see cref="Durability.Deferred"/>, committing what was published since the last flush failed: it is lost (the store is closed all the same).</exception>
    public void Dispose()
    {
        if (Changes.HasSubscribers && Volatile.Read(ref _disposed) == 0) Changes.RaiseClosingAsync().GetAwaiter().GetResult(); // live mounts unmount first
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Telemetry.Dispose();
        var lost = CloseMetadata();
        try
        {
            if (OwnsBlocks) DisposeBlocksSynchronously();
        }
        finally
        {
            _lock.Dispose();
        }
        if (lost is not null) throw lost;
    }

    // A sync caller: the block store's own Dispose where it has one (both built-in stores do); a
    // store that is only async-disposable is waited for, as this caller chose not to await.
    private void DisposeBlocksSynchronously()
    {
        if (ConfiguredBlocks is IDisposable disposable)
        {
            disposable.Dispose();
            return;
        }
        var closing = ConfiguredBlocks.DisposeAsync();
        if (!closing.IsCompletedSuccessfully) closing.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Closes the store, disposing a block store it owns asynchronously. Safe to call more than once.</summary>
    /// <exception cref="DeferredCommitFailedException">With <see cref="Durability.Deferred"/>, committing what was published since the last flush failed: it is lost (the store is closed all the same).</exception>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _disposed) == 0) await Changes.RaiseClosingAsync().ConfigureAwait(false); // live mounts unmount first
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Telemetry.Dispose();
        var lost = CloseMetadata();
        try
        {
            if (OwnsBlocks) await ConfiguredBlocks.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _lock.Dispose();
        }
        if (lost is not null) throw lost;
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    internal T Read<T>(Func<MetaTxn, T> body, [System.Runtime.CompilerServices.CallerMemberName] string operation = "")
    {
        ThrowIfDisposed();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = _meta.Read(body);
        NoteIfSlow(operation, started);
        return result;
    }

    /// <summary>One metadata change, durable as the store's <see cref="Durability"/> says, or deferred inside a <see cref="DeferWrites"/> scope.</summary>
    internal T Write<T>(Func<MetaTxn, T> body, [System.Runtime.CompilerServices.CallerMemberName] string operation = "") =>
        WriteAs(body, _options.Durability == Durability.Deferred || s_deferWrites.Value ? CommitMode.Deferred : CommitMode.Durable, operation);

    private static readonly AsyncLocal<bool> s_deferWrites = new();

    /// <summary>
    /// Until the returned scope is disposed, metadata changes made by this flow of execution (and
    /// the async calls it makes) are deferred as with <see cref="Durability.Deferred"/>, whatever
    /// the store's setting: published at once, durable within <see cref="WorkspaceStoreOptions.FlushInterval"/>
    /// or at <see cref="Flush"/>. For front ends with POSIX durability (the mount: durable at fsync).
    /// </summary>
    internal static DeferredWritesScope DeferWrites()
    {
        var outer = s_deferWrites.Value;
        s_deferWrites.Value = true;
        return new DeferredWritesScope(outer);
    }

    /// <summary>Restores the durability of the flow that opened it.</summary>
    internal readonly struct DeferredWritesScope(bool outer) : IDisposable
    {
        public void Dispose() => s_deferWrites.Value = outer;
    }

    /// <summary>One metadata change that is durable when this returns, whatever the store's <see cref="Durability"/> (snapshot, clone, promote).</summary>
    internal T WriteDurably<T>(Func<MetaTxn, T> body, [System.Runtime.CompilerServices.CallerMemberName] string operation = "") =>
        WriteAs(body, CommitMode.Durable, operation);

    private T WriteAs<T>(Func<MetaTxn, T> body, CommitMode mode, string operation)
    {
        ThrowIfDisposed();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = _meta.Write(body, mode);
        NoteIfSlow(operation, started);
        return result;
    }

    /// <summary>
    /// Makes every change published so far durable. With <see cref="Durability.PerOperation"/>
    /// each change already was, and this returns at once; with <see cref="Durability.Deferred"/>
    /// it commits what is pending.
    /// </summary>
    /// <exception cref="NoKVException">A deferred commit failed since the last flush: the changes it held are lost (the store keeps what was committed before them).</exception>
    public void Flush()
    {
        ThrowIfDisposed();
        _meta.Flush();
    }

    /// <inheritdoc cref="Flush"/>
    /// <param name="cancellationToken">Stops waiting (the flush itself still runs).</param>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _meta.FlushAsync().WaitAsync(cancellationToken);
    }

    private void NoteIfSlow(string operation, long started)
    {
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (elapsed >= _options.SlowOperationThreshold) Logging.Log.SlowOperation(Logger, operation, (long)elapsed.TotalMilliseconds);
    }

    internal static byte[] PathKey(string workspacePath) => Encoding.UTF8.GetBytes(workspacePath);

    internal static WorkspaceRecord? TryGetWorkspace(MetaTxn txn, string workspacePath)
    {
        var value = txn.Get(Db.Workspaces, PathKey(workspacePath));
        return value is null ? null : WorkspaceRecord.Decode(value);
    }

    /// <summary>The workspace at <paramref name="workspacePath"/>, checked to be the same one (by id) a handle was opened on.</summary>
    internal static WorkspaceRecord GetWorkspace(MetaTxn txn, string workspacePath, long expectedId = 0)
    {
        var record = TryGetWorkspace(txn, workspacePath);
        if (record is null || (expectedId != 0 && record.Id != expectedId)) throw new WorkspaceNotFoundException(workspacePath);
        return record;
    }

    /// <summary>
    /// Splits a store path ("/forks/a/src/x") into the workspace that holds it and the path inside
    /// it. Workspaces never nest, so at most one prefix names a workspace. A handle passes the id
    /// it was opened on: a different workspace at the same path is not the one it means. The
    /// store path may be as long as a workspace path and an inner path together; the inner part
    /// is held to the limits of a path inside a workspace (see <see cref="PathRules"/>).
    /// </summary>
    internal static (string WorkspacePath, WorkspaceRecord Record, string[] Inner) FindWorkspace(MetaTxn txn, string storePath, string paramName, long expectedId = 0)
    {
        var segments = PathRules.SplitStorePath(storePath, paramName);
        var prefixBytes = 0;
        for (var i = 1; i <= segments.Length; i++)
        {
            prefixBytes += System.Text.Encoding.UTF8.GetByteCount(segments[i - 1]) + 1;
            if (prefixBytes > PathRules.MaxWorkspacePathBytes) break; // no workspace path is longer
            var prefix = PathRules.Join(segments[..i]);
            var record = TryGetWorkspace(txn, prefix);
            if (record is null) continue;
            if (expectedId != 0 && record.Id != expectedId) break;
            PathRules.CheckInner(segments.AsSpan(i), storePath, paramName);
            return (prefix, record, segments[i..]);
        }
        throw new WorkspaceNotFoundException(storePath);
    }

    /// <summary>
    /// <paramref name="workspace"/>, if it accepts writes. Every write into a head checks this
    /// inside its own transaction, so a flag set concurrently is never missed; write sessions check
    /// it at open too, so they fail before uploading.
    /// </summary>
    /// <exception cref="ReadOnlyWorkspaceException">The workspace is read-only.</exception>
    internal static WorkspaceRecord Writable(WorkspaceRecord workspace, string workspacePath) =>
        workspace.IsReadOnly ? throw new ReadOnlyWorkspaceException(workspacePath) : workspace;

    internal static View HeadView(MetaTxn txn, WorkspaceRecord workspace) => LayerTable.ViewOf(txn, workspace.HeadLayer, workspace.RootInode);

    internal static long NextVersion(MetaTxn txn) => Counters.Next(txn, Counters.Version);

    internal static DateTime FromTicks(long ticks) => new(ticks, DateTimeKind.Utc);
}
