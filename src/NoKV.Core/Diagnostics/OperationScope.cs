using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NoKV.Diagnostics;

/// <summary>
/// One running operation: its duration goes to <c>nokv.operation.duration</c> and its span (if
/// traced) ends when the scope is disposed. Success is said, not assumed: a scope disposed without
/// <see cref="Complete()"/> was left by an exception, so it records <c>error.type</c> (the
/// exception's type) and an error status. Not thread-safe: one scope belongs to one call.
/// </summary>
/// <remarks>
/// Which exception left the scope is learnt without a try/catch at every operation: while a
/// recording scope runs, it is the flow's current scope, and the last exception thrown in that
/// flow (a first-chance notification) is the one that escapes it, or a wrapper thrown after it.
/// <see cref="Fail"/> names it explicitly where a catch block exists anyway.
/// </remarks>
internal sealed partial class OperationScope : IDisposable
{
    /// <summary>Returned when nothing listens: costs nothing, records nothing.</summary>
    internal static readonly OperationScope Disabled = new(null, default, null);

    /// <summary>The OpenTelemetry value of <c>error.type</c> when the exception is not known.</summary>
    private const string OtherError = "_OTHER";

    private static readonly AsyncLocal<OperationScope?> CurrentScope = new();
    private static int _watching;

    private readonly Histogram<double>? _duration;
    private readonly OperationScope? _outer;
    private readonly StoreOperation _operation;
    private readonly long _started;
    private bool _completed;
    private bool _disposed;
    private Exception? _error;
    private Exception? _lastThrown;

    internal OperationScope(Histogram<double>? duration, StoreOperation operation, Activity? activity)
    {
        _duration = duration;
        _operation = operation;
        Activity = activity;
        if (duration is null) return;
        _started = Stopwatch.GetTimestamp();
        WatchExceptions();
        _outer = CurrentScope.Value;
        CurrentScope.Value = this;
    }

    private static void WatchExceptions()
    {
        if (Volatile.Read(ref _watching) != 0 || Interlocked.Exchange(ref _watching, 1) != 0) return;
        AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
        {
            if (CurrentScope.Value is { _disposed: false } scope) scope._lastThrown = e.Exception;
        };
    }

    /// <summary>The operation's span, or null when nobody traces it.</summary>
    public Activity? Activity { get; }

    /// <summary>Marks the operation as succeeded and passes its result through: <c>return op.Complete(Write(...));</c>.</summary>
    public T Complete<T>(T result)
    {
        Complete();
        return result;
    }

    /// <summary>Marks the operation as succeeded.</summary>
    public void Complete()
    {
        if (_duration is not null) _completed = true;
    }

    /// <summary>Names the exception the operation fails with, where a catch block has it (it wins over the last exception seen thrown).</summary>
    public void Fail(Exception exception)
    {
        if (_duration is not null) _error = exception;
    }

    /// <summary>Tags the span (not the metrics: span tags may carry paths and counts).</summary>
    public OperationScope SetTag(string key, object? value)
    {
        if (Activity is { IsAllDataRequested: true }) Activity.SetTag(key, value);
        return this;
    }

    public void Dispose()
    {
        if (_duration is null || _disposed) return;
        _disposed = true;
        CurrentScope.Value = _outer;
        var operationTag = new KeyValuePair<string, object?>("nokv.operation", _operation.Tag());
        var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        if (_completed)
        {
            _duration.Record(seconds, operationTag);
            Activity?.Dispose();
            return;
        }
        var error = _error ?? _lastThrown;
        var errorType = error?.GetType().FullName ?? OtherError;
        _duration.Record(seconds, operationTag, new KeyValuePair<string, object?>("error.type", errorType));
        if (Activity is not null)
        {
            Activity.SetTag("error.type", errorType);
            Activity.SetStatus(ActivityStatusCode.Error, error?.Message);
            if (error is not null) Activity.AddException(error);
            Activity.Dispose();
        }
    }
}
