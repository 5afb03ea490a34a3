using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NoKV.Diagnostics;

/// <summary>
/// One running operation: its duration goes to <c>nokv.operation.duration</c> and its span (if
/// traced) ends when the scope is disposed. Success is said, not assumed: a scope disposed without
/// <see cref="Complete()"/> was left by an exception, so it records <c>error.type</c> and an
/// error status. Not thread-safe: one scope belongs to one call.
/// </summary>
internal sealed partial class OperationScope : IDisposable
{
    /// <summary>Returned when nothing listens: costs nothing, records nothing.</summary>
    internal static readonly OperationScope Disabled = new(null, default, null);

    /// <summary>The OpenTelemetry value of <c>error.type</c> when the exception is not known.</summary>
    private const string OtherError = "_OTHER";

    private readonly Histogram<double>? _duration;
    private readonly StoreOperation _operation;
    private readonly long _started;
    private bool _completed;
    private bool _disposed;
    private Exception? _error;

    internal OperationScope(Histogram<double>? duration, StoreOperation operation, Activity? activity)
    {
        _duration = duration;
        _operation = operation;
        Activity = activity;
        _started = duration is null ? 0 : Stopwatch.GetTimestamp();
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

    /// <summary>Names the exception the operation fails with (optional: without it, error.type is "_OTHER").</summary>
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
        var operationTag = new KeyValuePair<string, object?>("nokv.operation", _operation.Tag());
        var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        if (_completed)
        {
            _duration.Record(seconds, operationTag);
            Activity?.Dispose();
            return;
        }
        var errorType = _error?.GetType().FullName ?? OtherError;
        _duration.Record(seconds, operationTag, new KeyValuePair<string, object?>("error.type", errorType));
        if (Activity is not null)
        {
            Activity.SetTag("error.type", errorType);
            Activity.SetStatus(ActivityStatusCode.Error, _error?.Message);
            if (_error is not null) Activity.AddException(_error);
            Activity.Dispose();
        }
    }
}
