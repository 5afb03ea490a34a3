using LightningDB;

namespace NoKV.Lmdb;

/// <summary>
/// The store's LMDB environment: opens the named databases and runs every metadata operation as
/// one transaction. Write transactions are serialised by a gate (LMDB allows one writer; the gate
/// keeps the wait in managed code and lets callers run commit hooks in order) and committed in
/// groups (<see cref="RunBatch"/>): writers that queue while a commit is under way share the next
/// one. LightningDB is used only in this folder, and every failure leaves it as a NoKV exception
/// (<see cref="LmdbErrors"/>).
/// </summary>
internal sealed class MetaDb : IDisposable
{
    private readonly LightningEnvironment _env;
    private readonly LightningDatabase[] _dbs;
    private readonly Lock _writeGate = new();
    private readonly Lock _queueGate = new();
    private readonly List<WriteRequest> _queued = [];
    private readonly Layers.LayerChainCache _chains = new();
    private readonly System.Collections.Concurrent.ConcurrentBag<LightningTransaction> _idleReaders = [];
    private DeferredCommitter? _deferred;
    private int _disposed;
    private int _activeReads;

    private MetaDb(LightningEnvironment env, LightningDatabase[] dbs)
    {
        _env = env;
        _dbs = dbs;
    }

    /// <summary>The store's id, kept in the meta database and in the store directory's identity file.</summary>
    public Guid StoreId { get; private init; }

    /// <summary>True if this open created the store's metadata.</summary>
    public bool Created { get; private init; }

    /// <summary>
    /// Opens the metadata in <paramref name="directory"/>. The data file is checked before LMDB
    /// maps it (<see cref="LmdbDataFile"/>). Where there is no store yet (no file, an empty file,
    /// or a file with no format record) <paramref name="refusal"/> decides: null creates the
    /// store; a reason (what shows a store was here) throws <see cref="StoreCorruptedException"/>
    /// and creates nothing.
    /// </summary>
    public static MetaDb Open(string directory, long mapSize, Func<string?> refusal)
    {
        NativeLmdbLoader.EnsureInstalled();
        var state = LmdbDataFile.Inspect(directory);
        if (state != MetadataFileState.Sound && refusal() is { } reason) throw NoStoreHere(directory, state, reason);
        Directory.CreateDirectory(directory);
        LightningEnvironment? env = null;
        try
        {
            var names = Enum.GetNames<Db>();
            env = new LightningEnvironment(directory, new EnvironmentConfiguration
            {
                MapSize = mapSize,
                MaxDatabases = names.Length + 4,
                MaxReaders = 1024,
            });
            // NoThreadLocalStorage: read transactions belong to the txn object, not the thread,
            // so many concurrent readers on the thread pool are fine.
            env.Open(EnvironmentOpenFlags.NoThreadLocalStorage);
            // A killed owner leaves its reader slots in the lock file; they would hold old pages
            // (the file grows) and, crash after crash, fill the reader table. Clear them.
            env.CheckStaleReaders();
            var dbs = new LightningDatabase[names.Length];
            using var txn = env.BeginTransaction();
            for (var i = 0; i < names.Length; i++)
            {
                dbs[i] = txn.OpenDatabase(names[i], new DatabaseConfiguration { Flags = DatabaseOpenFlags.Create });
            }
            var meta = dbs[(int)Db.Meta];
            var created = !StoreFormat.IsPresent(txn, meta);
            // A sound LMDB file without a format record: a crash while the store was being created, or
            // a file from elsewhere. The same rule as for no file at all; returning aborts the txn.
            if (created && state == MetadataFileState.Sound && refusal() is { } noFormat) throw NoStoreHere(directory, state, noFormat);
            var storeId = created ? StoreFormat.Create(txn, meta) : StoreFormat.Check(txn, meta, db => dbs[(int)db]);
            LmdbErrors.Check(txn.Commit());
            return new MetaDb(env, dbs) { StoreId = storeId, Created = created };
        }
        catch (LightningException e)
        {
            env?.Dispose();
            throw LmdbErrors.From(e);
        }
        catch
        {
            env?.Dispose();
            throw;
        }
    }

    private static StoreCorruptedException NoStoreHere(string directory, MetadataFileState state, string reason)
    {
        var what = state switch
        {
            MetadataFileState.Absent => "missing",
            MetadataFileState.Empty => "empty",
            _ => "not a NoKV store's (it has no format record)",
        };
        return new StoreCorruptedException(
            $"The store's metadata ({Path.Combine(directory, LmdbDataFile.FileName)}) is {what}, but {reason}. " +
            "Refusing to open it as a new, empty store: its blocks would look unreferenced. Restore the metadata from a backup.");
    }

    /// <summary>
    /// Sets up deferred commits (see <see cref="DeferredCommitter"/>): with
    /// <paramref name="everyWrite"/> (a store opened with <see cref="Durability.Deferred"/>) every
    /// write from now on is applied to a batch committed durably within
    /// <paramref name="flushInterval"/>; otherwise only writes that ask for
    /// <see cref="CommitMode.Deferred"/> are (a mount in a per-operation store), and the batch is
    /// created on the first such write. Called once, right after opening.
    /// </summary>
    public void ConfigureDeferredCommits(TimeSpan flushInterval, Action<Exception> batchLost, bool everyWrite)
    {
        _flushInterval = flushInterval;
        _batchLost = batchLost;
        _everyWriteDeferred = everyWrite;
        if (everyWrite) Deferred();
    }

    private TimeSpan _flushInterval = TimeSpan.FromMilliseconds(50);
    private Action<Exception>? _batchLost;
    private bool _everyWriteDeferred;
    private readonly Lock _deferredGate = new();

    private DeferredCommitter Deferred()
    {
        if (Volatile.Read(ref _deferred) is { } existing) return existing;
        lock (_deferredGate)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _deferred ??= new DeferredCommitter(_env, txn => new MetaTxn(txn, _dbs, _chains), () => CommitFaults, _flushInterval) { BatchLost = _batchLost };
        }
    }

    /// <summary>
    /// Makes every write so far durable: with deferred commits, commits the open batch and throws
    /// <see cref="DeferredCommitFailedException"/> if any deferred commit has failed since the
    /// store opened; otherwise a no-op, as each write was durable when it returned.
    /// </summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _deferred?.Flush();
    }

    /// <summary>Throws <see cref="DeferredCommitFailedException"/> if a deferred commit has failed since the store opened (it then refuses changes until reopened).</summary>
    public void ThrowIfCommitFailed() => Volatile.Read(ref _deferred)?.ThrowIfFailed();

    /// <summary>True while a deferred batch holds writes not yet committed.</summary>
    public bool HasUncommittedWrites => _deferred?.BatchOpen ?? false;

    /// <inheritdoc cref="Flush"/>
    public Task FlushAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _deferred?.FlushAsync() ?? Task.CompletedTask;
    }

    /// <summary>Runs <paramref name="body"/> in a read-only snapshot of the metadata.</summary>
    public T Read<T>(Func<MetaTxn, T> body)
    {
        Interlocked.Increment(ref _activeReads);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            // Writes applied to a deferred batch are published: a read must see them, so it runs in the batch.
            if (_deferred is { BatchOpen: true } deferred && deferred.TryRead(body, out var inBatch)) return inBatch;
            return ReadCore(body);
        }
        catch (LightningException e)
        {
            throw LmdbErrors.From(e);
        }
        finally
        {
            Interlocked.Decrement(ref _activeReads);
        }
    }

    private T ReadCore<T>(Func<MetaTxn, T> body)
    {
        // Read transactions are recycled (LMDB reset/renew): beginning a fresh one costs a
        // reader-slot registration and allocations on every stat or lookup.
        if (!_idleReaders.TryTake(out var txn)) txn = _env.BeginTransaction(TransactionBeginFlags.ReadOnly);
        else LmdbErrors.Check(txn.Renew());
        var recycle = false;
        try
        {
            using var metaTxn = new MetaTxn(txn, _dbs, _chains);
            var result = body(metaTxn);
            recycle = true;
            return result;
        }
        finally
        {
            if (recycle && _idleReaders.Count < 64 && Volatile.Read(ref _disposed) == 0)
            {
                txn.Reset();
                _idleReaders.Add(txn);
            }
            else
            {
                txn.Dispose();
            }
        }
    }

    /// <summary>
    /// Fault injection for tests: called in every write transaction just before its commit (a
    /// throw aborts it) and just after it (a throw reports failure for a commit that landed, as an
    /// fsync error can). Null outside tests.
    /// </summary>
    internal Action<CommitPhase>? CommitFaults { get; set; }

    /// <summary>Runs <paramref name="body"/> in one write transaction and commits it durably; nothing is written if it throws.</summary>
    public T Write<T>(Func<MetaTxn, T> body) => Write(body, CommitMode.Durable);

    /// <summary>
    /// Runs <paramref name="body"/> in one write transaction, committed as <paramref name="mode"/>
    /// says. A group commit syncs as much as the most demanding write it holds asks for.
    /// </summary>
    public T Write<T>(Func<MetaTxn, T> body, CommitMode mode)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            // After a failed deferred commit, what this process holds may rest on lost writes.
            ThrowIfCommitFailed();
            if (mode == CommitMode.Deferred) return Deferred().Write(body, mode);
            // Any other write joins an open batch (committing it), so it never waits behind one.
            // A group commit that begins while a batch opens waits for LMDB's write lock, at most
            // until the batch's interval runs out.
            if (Volatile.Read(ref _deferred) is { } deferred && (_everyWriteDeferred || deferred.BatchOpen)) return deferred.Write(body, mode);
            return WriteCore(body, mode);
        }
        catch (LightningException e)
        {
            throw LmdbErrors.From(e);
        }
    }

    /// <summary>The most writes one group commit takes, so a long queue cannot make one batch's wait unbounded.</summary>
    private const int MaxBatch = 256;

    /// <summary>Batches committed and writes they held, since the store opened (for benchmarks: the mean batch size).</summary>
    public (long Batches, long Writes) GroupCommits
    {
        get
        {
            var (deferredBatches, deferredWrites) = _deferred?.Commits ?? (0, 0);
            return (Interlocked.Read(ref _batches) + deferredBatches, Interlocked.Read(ref _batchedWrites) + deferredWrites);
        }
    }

    /// <summary>How many writes wait for the next group commit (tests use it to make a batch happen).</summary>
    internal int QueuedWrites
    {
        get
        {
            lock (_queueGate) return _queued.Count;
        }
    }

    private long _batches;
    private long _batchedWrites;

    private T WriteCore<T>(Func<MetaTxn, T> body, CommitMode mode)
    {
        var request = new WriteRequest(txn => body(txn), mode);
        lock (_queueGate) _queued.Add(request);
        // A waiting writer never queues for the gate itself: it sleeps on its own signal, set when
        // a batch has run its write, or when the queue needs a new leader (it is first in line).
        // Queuing for the gate would make every writer whose write a batch already committed
        // wait a whole further commit just to learn that, and no batch would grow past one.
        while (!request.Done)
        {
            if (_writeGate.TryEnter())
            {
                try
                {
                    if (!request.Done) RunBatch();
                }
                finally
                {
                    _writeGate.Exit();
                }
                WakeNextLeader();
            }
            else
            {
                request.Signal.Wait();
                request.Signal.Reset();
            }
        }
        request.Failure?.Throw();
        return (T)request.Result!;
    }

    /// <summary>After a batch, the first writer still queued (if any) is woken to lead the next one.</summary>
    private void WakeNextLeader()
    {
        lock (_queueGate)
        {
            if (_queued.Count > 0) _queued[0].Signal.Set();
        }
    }

    /// <summary>
    /// Group commit: runs every queued write (up to <see cref="MaxBatch"/>) in one LMDB write
    /// transaction and commits it once, so concurrent writers share one fsync. Each write runs in
    /// its own nested transaction: one that throws is rolled back alone and gets its exception;
    /// the others commit. A lone write runs directly in the top transaction, as without grouping.
    /// A commit that fails fails every write of the batch that had succeeded (each may have
    /// landed, as for any commit that reports an error).
    /// </summary>
    private void RunBatch()
    {
        List<WriteRequest> batch;
        lock (_queueGate)
        {
            batch = _queued[..Math.Min(_queued.Count, MaxBatch)];
            _queued.RemoveRange(0, batch.Count);
        }
        var succeeded = new List<(WriteRequest Request, MetaTxn Txn)>();
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            using var txn = _env.BeginTransaction(FlagsFor(batch.Min(r => r.Mode)));
            if (batch.Count == 1)
            {
                var metaTxn = new MetaTxn(txn, _dbs, _chains);
                // Cursors must close before the commit.
                using (metaTxn) batch[0].Result = batch[0].Body(metaTxn);
                succeeded.Add((batch[0], metaTxn));
            }
            else
            {
                foreach (var request in batch) RunNested(txn, request, succeeded);
            }
            if (succeeded.Count == 0) return; // nothing to commit: every write threw, the transaction aborts
            CommitFaults?.Invoke(CommitPhase.BeforeCommit);
            LmdbErrors.Check(txn.Commit());
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _batchedWrites, batch.Count);
            foreach (var (_, committed) in succeeded) committed.RunCommitHooks();
            CommitFaults?.Invoke(CommitPhase.AfterCommit);
        }
        catch (Exception e)
        {
            var failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            foreach (var request in batch) request.Failure ??= failure;
        }
        finally
        {
            foreach (var request in batch)
            {
                request.Done = true;
                request.Signal.Set();
            }
        }
    }

    private static TransactionBeginFlags FlagsFor(CommitMode mode) => mode switch
    {
        CommitMode.Ordered => TransactionBeginFlags.NoMetaSync,
        _ => TransactionBeginFlags.None,
    };

    /// <summary>Runs one write of a batch in a nested transaction: committed into the batch, or rolled back alone.</summary>
    private void RunNested(LightningTransaction parent, WriteRequest request, List<(WriteRequest, MetaTxn)> succeeded)
    {
        using var child = parent.BeginTransaction(TransactionBeginFlags.None);
        var metaTxn = new MetaTxn(child, _dbs, _chains);
        try
        {
            using (metaTxn) request.Result = request.Body(metaTxn);
        }
        catch (Exception e)
        {
            request.Failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            return; // disposing the child aborts it
        }
        LmdbErrors.Check(child.Commit());
        succeeded.Add((request, metaTxn));
    }

    /// <summary>One queued write: its body and commit mode, then its result or failure once a batch ran it.</summary>
    private sealed class WriteRequest(Func<MetaTxn, object?> body, CommitMode mode)
    {
        public Func<MetaTxn, object?> Body { get; } = body;
        public CommitMode Mode { get; } = mode;
        public object? Result { get; set; }
        public System.Runtime.ExceptionServices.ExceptionDispatchInfo? Failure { get; set; }

        /// <summary>Set once a batch ran this write (its result or failure is then final).</summary>
        public bool Done
        {
            get => Volatile.Read(ref _done);
            set => Volatile.Write(ref _done, value);
        }

        /// <summary>Wakes the waiting writer: its write is done, or it should try to lead the next batch.</summary>
        public ManualResetEventSlim Signal { get; } = new(false);

        private bool _done;
    }

    /// <summary>Runs <paramref name="body"/> in one write transaction.</summary>
    public void Write(Action<MetaTxn> body) => Write<bool>(txn => { body(txn); return true; });

    /// <summary>Closes the environment, committing a deferred batch first.</summary>
    /// <exception cref="DeferredCommitFailedException">That last commit failed: the writes published since the last flush are lost (everything is closed all the same).</exception>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // Let reads that started before the flag was set finish before the environment closes.
        // A deferred batch is committed before the environment closes (reads still running in it finish first).
        lock (_deferredGate) _deferred?.Dispose();
        SpinWait.SpinUntil(() => Volatile.Read(ref _activeReads) == 0);
        lock (_writeGate)
        {
            while (_idleReaders.TryTake(out var txn)) txn.Dispose();
            _env.Dispose();
        }
        // Writers still queued are woken one leader at a time; each batch fails with ObjectDisposedException.
        WakeNextLeader();
        // Closing committed the last deferred batch; if that commit failed, and no caller had seen
        // a failure before, the writes published since the last flush are lost: say so.
        if (_deferred?.FailureAtStop is { } lost) throw new DeferredCommitFailedException(lost);
    }
}
