using LightningDB;

namespace NoKV.Lmdb;

/// <summary>Decides whether a key (valid only during the call) is the one being looked for.</summary>
internal delegate bool KeyFilter(ReadOnlySpan<byte> key);

/// <summary>
/// One metadata transaction with the few operations NoKV needs. Values returned are copies, so
/// they stay valid after the transaction ends.
/// </summary>
internal sealed class MetaTxn : IDisposable
{
    private readonly LightningTransaction _txn;
    private readonly LightningDatabase[] _dbs;

    public MetaTxn(LightningTransaction txn, LightningDatabase[] dbs, Layers.LayerChainCache chains)
    {
        _txn = txn;
        _dbs = dbs;
        Chains = chains;
    }

    /// <summary>The store's cache of layer ancestor chains.</summary>
    public Layers.LayerChainCache Chains { get; }

    private List<Action>? _onCommitted;
    private LightningCursor?[]? _lookupCursors;

    public bool IsReadOnly => _txn.IsReadOnly;

    /// <summary>
    /// LMDB's id for this transaction: for a reader, the last commit it sees; for a writer, the id
    /// it commits as. Later snapshots have larger ids.
    /// </summary>
    public long SnapshotId => (long)_txn.Id;

    /// <summary>Runs <paramref name="action"/> after this transaction commits (never if it aborts).</summary>
    public void OnCommitted(Action action) => (_onCommitted ??= []).Add(action);

    internal void RunCommitHooks()
    {
        if (_onCommitted is null) return;
        foreach (var action in _onCommitted) action();
    }

    public byte[]? Get(Db db, ReadOnlySpan<byte> key)
    {
        var (rc, _, value) = _txn.Get(_dbs[(int)db], key);
        if (rc == MDBResultCode.NotFound) return null;
        LmdbErrors.Check(rc);
        return value.CopyToNewArray();
    }

    public bool Exists(Db db, ReadOnlySpan<byte> key)
    {
        var (rc, _, _) = _txn.Get(_dbs[(int)db], key);
        if (rc == MDBResultCode.NotFound) return false;
        LmdbErrors.Check(rc);
        return true;
    }

    public void Put(Db db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        LmdbErrors.Check(_txn.Put(_dbs[(int)db], key, value));
    }

    public bool Delete(Db db, ReadOnlySpan<byte> key)
    {
        var rc = _txn.Delete(_dbs[(int)db], key);
        if (rc == MDBResultCode.NotFound) return false;
        LmdbErrors.Check(rc);
        return true;
    }

    /// <summary>Entries with keys ≥ <paramref name="from"/> that start with <paramref name="prefix"/>, in key order.</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(Db db, byte[] prefix, byte[]? from = null)
    {
        using var cursor = _txn.CreateCursor(_dbs[(int)db]);
        var start = from ?? prefix;
        // LMDB refuses an empty key, so a scan of everything starts at the first entry instead.
        var rc = start.Length == 0 ? cursor.First().resultCode : cursor.SetRange(start);
        while (rc == MDBResultCode.Success)
        {
            var (_, key, value) = cursor.GetCurrent();
            var keySpan = key.AsSpan();
            if (!keySpan.StartsWith(prefix)) yield break;
            yield return new(keySpan.ToArray(), value.CopyToNewArray());
            rc = cursor.Next().resultCode;
        }
        if (rc != MDBResultCode.NotFound) LmdbErrors.Check(rc);
    }

    /// <summary>The first entry with key ≥ <paramref name="from"/> that starts with <paramref name="prefix"/>, if any.</summary>
    public KeyValuePair<byte[], byte[]>? First(Db db, byte[] prefix, byte[]? from = null)
    {
        foreach (var entry in Scan(db, prefix, from)) return entry;
        return null;
    }

    /// <summary>
    /// The value of the first entry at or after <paramref name="from"/>, within
    /// <paramref name="prefix"/>, whose key <paramref name="accept"/> takes; null if none. Uses one
    /// cursor per database per transaction, so point lookups allocate only their result.
    /// </summary>
    public byte[]? FindFirst(Db db, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> from, KeyFilter accept) =>
        FindFirstEntry(db, prefix, from, accept)?.Value;

    /// <summary>Like <see cref="FindFirst"/>, with the matching key.</summary>
    public KeyValuePair<byte[], byte[]>? FindFirstEntry(Db db, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> from, KeyFilter accept)
    {
        var cursors = _lookupCursors ??= new LightningCursor?[_dbs.Length];
        var cursor = cursors[(int)db] ??= _txn.CreateCursor(_dbs[(int)db]);
        var rc = cursor.SetRange(from);
        while (rc == MDBResultCode.Success)
        {
            var (_, key, value) = cursor.GetCurrent();
            var keySpan = key.AsSpan();
            if (!keySpan.StartsWith(prefix)) return null;
            if (accept(keySpan)) return new(keySpan.ToArray(), value.CopyToNewArray());
            rc = cursor.Next().resultCode;
        }
        if (rc != MDBResultCode.NotFound) LmdbErrors.Check(rc);
        return null;
    }

    public void Dispose()
    {
        if (_lookupCursors is null) return;
        foreach (var cursor in _lookupCursors) cursor?.Dispose();
        _lookupCursors = null;
    }

    public long Count(Db db) => _txn.GetEntriesCount(_dbs[(int)db]);
}
