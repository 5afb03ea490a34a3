using System.Runtime.ExceptionServices;
using LightningDB;

namespace NoKV.Lmdb;

/// <summary>
/// Deferred durability (<see cref="Durability.Deferred"/>): writes are applied to one open LMDB
/// write transaction, the batch, each in a nested transaction (a write that throws is rolled back
/// alone and its caller gets the exception), and the caller returns as soon as its write is
/// applied. The batch is published to this process at once, because while it is open every read
/// runs inside it (in the batch transaction itself, between writes). It is committed durably when
/// it has been open for the flush interval, when it holds <see cref="MaxBatch"/> writes, when a write asks for durability (snapshot, clone,
/// promote) or for an ordered commit (a write session's pending record, before its first block:
/// its data pages are synced at once, its meta page within the interval), on
/// <see cref="Flush"/>, and when the store closes; a crash loses at most what was published in the
/// last flush interval, so the store on disk always shows a prefix of the published history.
/// </summary>
/// <remarks>
/// <para>
/// LMDB's write lock belongs to the thread that began the top transaction, so one thread (the
/// commit thread) begins and commits every batch. The nested transactions run on the callers'
/// own threads, one at a time under <see cref="_gate"/>: handing each write to the commit thread
/// would cost two thread switches per write, more than the write itself.
/// </para>
/// <para>
/// A batch is begun with MDB_NOMETASYNC and its commit is followed by an environment sync, so a
/// commit is durable and a machine crash in the middle of it leaves the previous commit (the new
/// meta page reaches the disk only after its data pages). A commit that fails loses the batch:
/// the failure is logged and thrown to a caller that asked for that commit, and from then on every
/// change and flush throws <see cref="DeferredCommitFailedException"/> until the store is reopened
/// (see <see cref="Failure"/>).
/// </para>
/// </remarks>
internal sealed class DeferredCommitter : IDisposable
{
    /// <summary>The most writes one batch holds, so a commit's size and LMDB's dirty-page list stay bounded.</summary>
    public const int MaxBatch = 4096;

    private readonly LightningEnvironment _env;
    private readonly Func<LightningTransaction, MetaTxn> _wrap;
    private readonly Func<Action<CommitPhase>?> _faults;
    private readonly TimeSpan _interval;
    private readonly Thread _thread;

    // Guards the batch: the nested transactions of writers and readers, and the commit.
    private readonly Lock _gate = new();
    private LightningTransaction? _batch;
    private readonly List<MetaTxn> _applied = [];
    private long _openedAt;

    // When an ordered commit's meta page must be synced by (Stopwatch ticks); commit thread only.
    private long? _syncDue;
    private Exception? _failure; // the first failed commit: from then on the store refuses changes

    // The commit thread's requests; guarded by _requests.
    private readonly Lock _requests = new();
    private readonly Queue<Request> _queue = [];
    private readonly SemaphoreSlim _wake = new(0);
    private bool _stopping;

    [ThreadStatic] private static DeferredCommitter? t_inBody;

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

    /// <summary>Called once, on the thread pool, when a commit fails and the writes since the last commit are lost.</summary>
    public Action<Exception>? BatchLost { get; init; }

    /// <summary>
    /// Set once a commit has failed: every later change and flush throws it (a fresh
    /// <see cref="DeferredCommitFailedException"/> each time), because what this process holds in
    /// memory may rest on the lost writes; reopening the store recovers.
    /// </summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Throws if a commit has failed (see <see cref="Failure"/>).</summary>
    public void ThrowIfFailed()
    {
        if (Failure is { } failure) throw new DeferredCommitFailedException(failure);
    }

    /// <summary>True while writes are applied but not committed: reads must then run in the batch to see them.</summary>
    public bool BatchOpen => Volatile.Read(ref _batch) is not null;

    /// <summary>Batches committed and the writes they held.</summary>
    public (long Batches, long Writes) Commits => (Interlocked.Read(ref _commits), Interlocked.Read(ref _committedWrites));

    /// <summary>Applies a write to the batch; with <paramref name="mode"/> Durable or Ordered the batch is committed before this returns.</summary>
    public T Write<T>(Func<MetaTxn, T> body, CommitMode mode)
    {
        ThrowIfNested();
        ThrowIfFailed();
        T result;
        bool commitNow;
        while (true)
        {
            lock (_gate)
            {
                ThrowIfFailed(); // a commit may have failed while this writer waited for the lock
                if (_batch is not null)
                {
                    result = RunNested(body);
                    commitNow = mode != CommitMode.Deferred || _applied.Count >= MaxBatch;
                    break;
                }
            }
            Ask(RequestKind.Begin); // the commit thread begins the batch; the write is applied on the next pass
        }
        if (commitNow)
        {
            // A durable write asks for a flush, not a commit: the batch holding it may already
            // have been committed by another request, ordered only (meta page not yet synced),
            // or failed; a flush syncs whatever is pending and throws any failure. An ordered
            // commit (a write session's pending record) syncs the data pages only; the commit
            // thread syncs the meta page within the interval.
            Ask(mode == CommitMode.Durable ? RequestKind.Flush : RequestKind.Commit);
            if (mode != CommitMode.Deferred) ThrowIfFailed();
        }
        return result;
    }

    /// <summary>Runs a read inside the open batch; false (having run nothing) if no batch is open.</summary>
    public bool TryRead<T>(Func<MetaTxn, T> body, out T result)
    {
        ThrowIfNested();
        lock (_gate)
        {
            if (_batch is null)
            {
                result = default!;
                return false;
            }
            // Straight in the batch transaction (no write of the batch is running: they hold the
            // same lock): a nested transaction would copy every page the read touches.
            using var metaTxn = _wrap(_batch);
            result = RunBody(body, metaTxn);
            return true;
        }
    }

    /// <summary>Commits the open batch durably and syncs what ordered commits left unsynced; throws <see cref="DeferredCommitFailedException"/> if any commit has failed since the store opened.</summary>
    public void Flush() => Ask(RequestKind.Flush);

    /// <summary>As <see cref="Flush"/>, without blocking the caller's thread.</summary>
    public Task FlushAsync()
    {
        if (Thread.CurrentThread == _thread) throw new InvalidOperationException("The store was called from its own commit thread.");
        var request = new Request(RequestKind.Flush, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        Enqueue(request);
        return request.Completion!.Task;
    }

    private static void ThrowIfNested()
    {
        if (t_inBody is not null) throw new InvalidOperationException("A metadata transaction was started inside another one.");
    }

    /// <summary>Runs a write in a nested transaction of the batch (under <see cref="_gate"/>), kept in the batch if it returns.</summary>
    private T RunNested<T>(Func<MetaTxn, T> body)
    {
        using var child = _batch!.BeginTransaction(TransactionBeginFlags.None);
        var metaTxn = _wrap(child);
        T result;
        using (metaTxn) result = RunBody(body, metaTxn); // a throw disposes the child, which aborts it
        LmdbErrors.Check(child.Commit());
        _applied.Add(metaTxn);
        return result;
    }

    /// <summary>Runs a read or write body, marked as inside the batch (a store call from it would deadlock) and with LMDB's errors as NoKV exceptions.</summary>
    private T RunBody<T>(Func<MetaTxn, T> body, MetaTxn metaTxn)
    {
        t_inBody = this;
        try
        {
            return body(metaTxn);
        }
        catch (LightningException e)
        {
            throw LmdbErrors.From(e);
        }
        finally
        {
            t_inBody = null;
        }
    }

    private static Exception Translated(Exception e) => e is LightningException lightning ? LmdbErrors.From(lightning) : e;

    private void Ask(RequestKind kind)
    {
        // The commit thread waiting for itself would never wake.
        if (Thread.CurrentThread == _thread) throw new InvalidOperationException("The store was called from its own commit thread.");
        var request = new Request(kind, null);
        Enqueue(request);
        request.Done.Wait();
        request.Done.Dispose();
        request.Failure?.Throw();
    }

    private void Enqueue(Request request)
    {
        lock (_requests)
        {
            ObjectDisposedException.ThrowIf(_stopping, typeof(MetaDb));
            _queue.Enqueue(request);
        }
        _wake.Release();
    }

    private void Run()
    {
        while (true)
        {
            var woken = _wake.Wait(NextDeadline());
            Request? request = null;
            lock (_requests)
            {
                if (woken) request = _queue.Dequeue();
            }
            if (request is null) CommitAndSync(); // the interval ran out
            else if (request.Kind == RequestKind.Stop) break; // every request before it was handled (FIFO)
            else Handle(request);
        }
        // Disposing: what was applied is committed (durably) before the environment closes.
        var failedBefore = Failure is not null;
        CommitAndSync();
        if (!failedBefore && Failure is { } failure) FailureAtStop = failure;
    }

    /// <summary>How long the commit thread may sleep: until the open batch's interval ends, or an ordered commit's meta page is due to be synced.</summary>
    private TimeSpan NextDeadline()
    {
        var due = long.MaxValue;
        if (BatchOpen) due = Volatile.Read(ref _openedAt) + TicksOf(_interval);
        if (_syncDue is { } sync) due = Math.Min(due, sync);
        if (due == long.MaxValue) return Timeout.InfiniteTimeSpan;
        var left = System.Diagnostics.Stopwatch.GetElapsedTime(System.Diagnostics.Stopwatch.GetTimestamp(), due);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private static long TicksOf(TimeSpan span) => (long)(span.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    /// <summary>Commits the open batch durably, then syncs what ordered commits left unsynced.</summary>
    private void CommitAndSync()
    {
        Commit(durable: true);
        if (_syncDue is null) return;
        try
        {
            _env.Flush(force: true);
        }
        catch (Exception e)
        {
            Fail(e);
        }
        _syncDue = null;
    }

    private void Handle(Request request)
    {
        try
        {
            switch (request.Kind)
            {
                case RequestKind.Begin:
                    Begin();
                    break;
                case RequestKind.Commit:
                    Commit(durable: false); // an ordered commit: its caller checks for a failure itself
                    break;
                case RequestKind.Flush:
                    CommitAndSync();
                    ThrowIfFailed();
                    break;
            }
        }
        catch (Exception e)
        {
            request.Failure = ExceptionDispatchInfo.Capture(Translated(e));
        }
        finally
        {
            if (request.Completion is { } completion)
            {
                if (request.Failure is { } failed) completion.SetException(failed.SourceException);
                else completion.SetResult();
            }
            request.Done.Set();
        }
    }

    private void Begin()
    {
        lock (_gate)
        {
            if (_batch is not null) return; // another writer's request began it
            Volatile.Write(ref _openedAt, System.Diagnostics.Stopwatch.GetTimestamp());
            Volatile.Write(ref _batch, _env.BeginTransaction(TransactionBeginFlags.NoMetaSync));
        }
    }

    /// <summary>
    /// Commits the open batch (its data pages are synced: the batch began with MDB_NOMETASYNC)
    /// and, if <paramref name="durable"/>, syncs the meta page too; otherwise that sync is due
    /// within the interval. A failure loses the batch and is recorded (<see cref="Failure"/>):
    /// callers learn of it through <see cref="ThrowIfFailed"/>, never from here.
    /// </summary>
    private void Commit(bool durable)
    {
        lock (_gate)
        {
            if (_batch is not { } batch) return;
            var applied = _applied.ToArray();
            _applied.Clear();
            try
            {
                if (applied.Length == 0) return; // every write threw: nothing to commit, disposing aborts
                _faults()?.Invoke(CommitPhase.BeforeCommit);
                LmdbErrors.Check(batch.Commit());
                if (durable)
                {
                    _env.Flush(force: true);
                    _syncDue = null;
                }
                else
                {
                    _syncDue ??= System.Diagnostics.Stopwatch.GetTimestamp() + TicksOf(_interval);
                }
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _committedWrites, applied.Length);
                foreach (var committed in applied) committed.RunCommitHooks();
                _faults()?.Invoke(CommitPhase.AfterCommit);
            }
            catch (Exception e)
            {
                Fail(e);
            }
            finally
            {
                batch.Dispose();
                Volatile.Write(ref _batch, null);
            }
        }
    }

    /// <summary>
    /// Records the first failed commit (or sync) and reports it once, on the thread pool: a
    /// handler that calls back into the store (a logger that flushes) must not run on the commit
    /// thread, which is the thread that would have to answer it.
    /// </summary>
    private void Fail(Exception e)
    {
        var failure = Translated(e);
        if (Interlocked.CompareExchange(ref _failure, failure, null) is not null) return;
        if (BatchLost is { } report) ThreadPool.UnsafeQueueUserWorkItem(static state => state.report(state.failure), (report, failure), preferLocal: false);
    }

    /// <summary>The failure of the commit made while stopping, when nothing had failed before (so no caller has seen it).</summary>
    public Exception? FailureAtStop { get; private set; }

    /// <summary>Commits what is applied and stops the commit thread; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_requests)
        {
            if (_stopping) return;
            _stopping = true;
            _queue.Enqueue(new Request(RequestKind.Stop, null));
        }
        _wake.Release();
        _thread.Join();
    }

    private enum RequestKind { Begin, Commit, Flush, Stop }

    private sealed class Request(RequestKind kind, TaskCompletionSource? completion)
    {
        public RequestKind Kind { get; } = kind;
        public TaskCompletionSource? Completion { get; } = completion;
        public ExceptionDispatchInfo? Failure { get; set; }
        public ManualResetEventSlim Done { get; } = new(false);
    }
}
