using LightningDB;

namespace NoKV.Lmdb;

/// <summary>
/// The store's LMDB environment: opens the named databases and runs every metadata operation as
/// one transaction. Write transactions are serialised by a gate (LMDB allows one writer; the gate
/// keeps the wait in managed code and lets callers run commit hooks in order). This is the only
/// type, with <see cref="MetaTxn"/>, that touches LightningDB.
/// </summary>
internal sealed class MetaDb : IDisposable
{
    private const int FormatVersion = 1;
    private static readonly byte[] FormatKey = "format"u8.ToArray();

    private readonly LightningEnvironment _env;
    private readonly LightningDatabase[] _dbs;
    private readonly Lock _writeGate = new();
    private readonly Layers.LayerChainCache _chains = new();
    private readonly System.Collections.Concurrent.ConcurrentBag<LightningTransaction> _idleReaders = [];
    private int _disposed;
    private int _activeReads;

    private MetaDb(LightningEnvironment env, LightningDatabase[] dbs)
    {
        _env = env;
        _dbs = dbs;
    }

    public static MetaDb Open(string directory, long mapSize)
    {
        NativeLmdbLoader.EnsureInstalled();
        Directory.CreateDirectory(directory);
        var names = Enum.GetNames<Db>();
        var env = new LightningEnvironment(directory, new EnvironmentConfiguration
        {
            MapSize = mapSize,
            MaxDatabases = names.Length + 4,
            MaxReaders = 1024,
        });
        try
        {
            // NoThreadLocalStorage: read transactions belong to the txn object, not the thread,
            // so many concurrent readers on the thread pool are fine.
            env.Open(EnvironmentOpenFlags.NoThreadLocalStorage);
            // A killed owner leaves its reader slots in the lock file; they would hold old pages
            // (the file grows) and, crash after crash, fill the reader table. Clear them.
            env.CheckStaleReaders();
            var dbs = new LightningDatabase[names.Length];
            using (var txn = env.BeginTransaction())
            {
                for (var i = 0; i < names.Length; i++)
                {
                    dbs[i] = txn.OpenDatabase(names[i], new DatabaseConfiguration { Flags = DatabaseOpenFlags.Create });
                }
                CheckFormat(txn, dbs[(int)Db.Meta]);
                txn.Commit().ThrowOnError();
            }
            return new MetaDb(env, dbs);
        }
        catch
        {
            env.Dispose();
            throw;
        }
    }

    private static void CheckFormat(LightningTransaction txn, LightningDatabase meta)
    {
        var (rc, _, value) = txn.Get(meta, FormatKey);
        if (rc == MDBResultCode.NotFound)
        {
            txn.Put(meta, FormatKey, BitConverter.GetBytes(FormatVersion)).ThrowOnError();
            return;
        }
        rc.ThrowOnError();
        var version = BitConverter.ToInt32(value.AsSpan());
        if (version != FormatVersion)
            throw new StoreCorruptedException($"The store's metadata format is version {version}; this NoKV reads version {FormatVersion}.");
    }

    /// <summary>Runs <paramref name="body"/> in a read-only snapshot of the metadata.</summary>
    public T Read<T>(Func<MetaTxn, T> body)
    {
        Interlocked.Increment(ref _activeReads);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return ReadCore(body);
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
        else txn.Renew().ThrowOnError();
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
    public T Write<T>(Func<MetaTxn, T> body) => Write(body, durable: true);

    /// <summary>
    /// Runs <paramref name="body"/> in one write transaction. With <paramref name="durable"/>
    /// false the commit is not fsynced: it survives a killed process (the OS has it) and is
    /// made durable by the next durable commit, but may be lost on power failure.
    /// </summary>
    public T Write<T>(Func<MetaTxn, T> body, bool durable)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_writeGate)
        {
            using var txn = _env.BeginTransaction(durable ? TransactionBeginFlags.None : TransactionBeginFlags.NoSync);
            var metaTxn = new MetaTxn(txn, _dbs, _chains);
            T result;
            // Cursors must close before the commit.
            using (metaTxn) result = body(metaTxn);
            CommitFaults?.Invoke(CommitPhase.BeforeCommit);
            var rc = txn.Commit();
            if (rc == MDBResultCode.MapFull)
                throw new NoKVException("The metadata store is full; open the store with a larger WorkspaceStoreOptions.MaxMetadataSize.");
            rc.ThrowOnError();
            metaTxn.RunCommitHooks();
            CommitFaults?.Invoke(CommitPhase.AfterCommit);
            return result;
        }
    }

    /// <summary>Runs <paramref name="body"/> in one write transaction.</summary>
    public void Write(Action<MetaTxn> body) => Write<bool>(txn => { body(txn); return true; });

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // Let reads that started before the flag was set finish before the environment closes.
        SpinWait.SpinUntil(() => Volatile.Read(ref _activeReads) == 0);
        lock (_writeGate)
        {
            while (_idleReaders.TryTake(out var txn)) txn.Dispose();
            _env.Dispose();
        }
    }
}
