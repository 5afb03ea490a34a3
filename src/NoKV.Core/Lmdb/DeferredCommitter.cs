using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using LightningDB;

namespace NoKV.Lmdb;

/// <summary>
/// Deferred durability (<see cref="Durability.Deferred"/>): one thread owns an open LMDB write
/// transaction, the batch, and applies every write to it at once, each in a nested transaction
/// (a write that throws is rolled back alone and its caller gets the exception). The caller
/// returns as soon as its write is applied: the batch is published to this process at once,
/// because while a batch is open every read runs on the same thread, inside it. The batch is
/// committed durably when it has been open for the flush interval, when it holds
/// <see cref="MaxBatch"/> writes, when a write asks for durability (snapshot, clone), or on
/// <see cref="Flush"/>; a crash loses at most the open batch, so the store on disk always shows a
/// prefix of the published history.
/// </summary>
/// <remarks>
/// The thread exists because LMDB's write lock belongs to the thread that began the transaction:
/// the batch must begin and commit on one thread. The batch is begun with MDB_NOMETASYNC and its
/// commit is followed by an environment sync, so a commit is durable and a machine crash in the
/// middle of it leaves the previous commit (the meta page is written only after the data pages
/// are on disk). A commit that fails loses the batch; the failure is kept and thrown by the next
/// <see cref="Flush"/>, as fsync reports a failed writeback.
/// </remarks>
internal sealed class DeferredCommitter : IDisposable
{
    /// <summary>The most writes one batch holds, so a commit's size and LMDB's dirty-page list stay bounded.</summary>
    public const int MaxBatch = 4096;

    private readonly LightningEnvironment _env;
    private readonly Func<LightningTransaction, MetaTxn> _wrap;
    private readonly Func<Action<CommitPhase>?> _faults;
    private readonly TimeSpan _interval;
    private readonly BlockingCollection<WorkItem> _work = [];
    private readonly Thread _thread;
    private readonly List<MetaTxn> _applied = [];
    private LightningTransaction? _batch;
    private long _openedAt;
    private ExceptionDispatchInfo? _lostBatch;
    private volatile bool _batchOpen;
    private long _commits;
    private long _committedWrites;

    public DeferredCommitter(LightningEnvironment env, Func<LightningTransaction, MetaTxn> wrap, Func<Action<CommitPhase>?> faults, TimeSpan interval)
    {
        _env = env;
        _wrap = wrap;
        _faults = faults;
        _interval = interval;
        _thread = new Thread(Run) { IsBackground = true, Name = "NoKV deferred commits" };
        _thread.Start();
    }

    /// <summary>True while writes are applied but not committed: reads must then run in the batch to see them.</summary>
    public bool BatchOpen => _batchOpen;

    /// <summary>Batches committed and the writes they held.</summary>
    public (long Batches, long Writes) Commits => (Interlocked.Read(ref _commits), Interlocked.Read(ref _committedWrites));

    /// <summary>Applies a write to the batch; with <paramref name="mode"/> Durable (or Ordered) the batch is committed before this returns.</summary>
    public T Write<T>(Func<MetaTxn, T> body, CommitMode mode) => (T)Post(new WorkItem(WorkKind.Write, txn => body(txn), mode))!;

    /// <summary>Runs a read inside the open batch; returns false (and runs nothing) if no batch was open when its turn came.</summary>
    public bool TryRead<T>(Func<MetaTxn, T> body, out T result)
    {
        var item = new WorkItem(WorkKind.Read, txn => body(txn), CommitMode.Deferred);
        var value = Post(item);
        result = item.RanInBatch ? (T)value! : default!;
        return item.RanInBatch;
    }

    /// <summary>Commits the open batch durably; throws the failure of a batch commit that failed since the last flush.</summary>
    public void Flush() => Post(new WorkItem(WorkKind.Flush, null, CommitMode.Durable));

    /// <summary>As <see cref="Flush"/>, without blocking the caller's thread.</summary>
    public Task FlushAsync()
    {
        var item = new WorkItem(WorkKind.Flush, null, CommitMode.Durable) { Completion = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        try
        {
            _work.Add(item);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(MetaDb));
        }
        return item.Completion.Task;
    }

    /// <summary>Called (on the commit thread) when a batch commit fails and its writes are lost.</summary>
    public Action<Exception>? BatchLost { get; init; }

    private object? Post(WorkItem item)
    {
        if (Thread.CurrentThread == _thread) throw new InvalidOperationException("A metadata transaction was started inside another one.");
        try
        {
            _work.Add(item);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(MetaDb));
        }
        item.Done.Wait();
        item.Done.Dispose();
        item.Failure?.Throw();
        return item.Result;
    }

    private void Run()
    {
        while (true)
        {
            WorkItem? item;
            try
            {
                var wait = _batch is null ? Timeout.InfiniteTimeSpan : Remaining();
                if (!_work.TryTake(out item, wait))
                {
                    if (_work.IsCompleted) break;
                    Commit(); // the interval ran out
                    continue;
                }
            }
            catch (InvalidOperationException)
            {
                break; // completed while waiting
            }
            Handle(item);
        }
        // Disposing: what was applied is committed (durably) before the environment closes.
        Commit();
    }

    private TimeSpan Remaining()
    {
        var left = _interval - System.Diagnostics.Stopwatch.GetElapsedTime(_openedAt);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private void Handle(WorkItem item)
    {
        try
        {
            switch (item.Kind)
            {
                case WorkKind.Write:
                    Apply(item);
                    if (item.Failure is null && (item.Mode != CommitMode.Deferred || _applied.Count >= MaxBatch)) Commit(rethrow: item.Mode != CommitMode.Deferred);
                    break;
                case WorkKind.Read:
                    if (_batch is not null) RunRead(item);
                    break;
                default:
                    Commit(); // a failure is recorded as the lost batch, reported here once
                    var lost = _lostBatch;
                    _lostBatch = null;
                    lost?.Throw();
                    break;
            }
        }
        catch (Exception e)
        {
            item.Failure ??= ExceptionDispatchInfo.Capture(e is LightningException lightning ? LmdbErrors.From(lightning) : e);
        }
        finally
        {
            if (item.Completion is { } completion)
            {
                if (item.Failure is { } failed) completion.SetException(failed.SourceException);
                else completion.SetResult();
            }
            item.Done.Set();
        }
    }

    private void Apply(WorkItem item)
    {
        if (_batch is null)
        {
            _batch = _env.BeginTransaction(TransactionBeginFlags.NoMetaSync);
            _openedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            _batchOpen = true;
        }
        using var child = _batch.BeginTransaction(TransactionBeginFlags.None);
        var metaTxn = _wrap(child);
        try
        {
            using (metaTxn) item.Result = item.Body!(metaTxn);
        }
        catch (Exception e)
        {
            item.Failure = ExceptionDispatchInfo.Capture(e is LightningException lightning ? LmdbErrors.From(lightning) : e);
            return; // disposing the child aborts it
        }
        LmdbErrors.Check(child.Commit());
        _applied.Add(metaTxn);
    }

    private void RunRead(WorkItem item)
    {
        // A nested transaction that is always aborted: the read sees the batch and changes nothing.
        using var child = _batch!.BeginTransaction(TransactionBeginFlags.None);
        using var metaTxn = _wrap(child);
        item.Result = item.Body!(metaTxn);
        item.RanInBatch = true;
    }

    /// <summary>
    /// Commits the open batch and syncs the environment. A failure loses the batch: it is kept for
    /// the next flush and, with <paramref name="rethrow"/>, also thrown to the caller that asked
    /// for this commit.
    /// </summary>
    private void Commit(bool rethrow = false)
    {
        if (_batch is null) return;
        var batch = _batch;
        var applied = _applied.ToArray();
        _applied.Clear();
        try
        {
            if (applied.Length == 0) return; // every write threw: nothing to commit, disposing aborts
            _faults()?.Invoke(CommitPhase.BeforeCommit);
            LmdbErrors.Check(batch.Commit());
            _env.Flush(force: true);
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _committedWrites, applied.Length);
            foreach (var committed in applied) committed.RunCommitHooks();
            _faults()?.Invoke(CommitPhase.AfterCommit);
        }
        catch (Exception e)
        {
            var failure = ExceptionDispatchInfo.Capture(e is LightningException lightning ? LmdbErrors.From(lightning) : e);
            _lostBatch ??= failure;
            BatchLost?.Invoke(failure.SourceException);
            if (rethrow) failure.Throw();
        }
        finally
        {
            batch.Dispose();
            _batch = null;
            _batchOpen = false;
        }
    }

    /// <summary>Commits what is applied and stops the thread; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
        if (Thread.CurrentThread != _thread) _thread.Join();
        _work.Dispose();
    }

    private enum WorkKind { Write, Read, Flush }

    private sealed class WorkItem(WorkKind kind, Func<MetaTxn, object?>? body, CommitMode mode)
    {
        public WorkKind Kind { get; } = kind;
        public Func<MetaTxn, object?>? Body { get; } = body;
        public CommitMode Mode { get; } = mode;
        public object? Result { get; set; }
        public bool RanInBatch { get; set; }
        public ExceptionDispatchInfo? Failure { get; set; }
        public ManualResetEventSlim Done { get; } = new(false);
        public TaskCompletionSource? Completion { get; init; }
    }
}
