using Microsoft.Extensions.Diagnostics.HealthChecks;
using NoKV.Lmdb;

namespace NoKV;

/// <summary>
/// A health check for a hosted <see cref="WorkspaceStore"/>: healthy when its metadata can be
/// read and its block store answers a request; otherwise the registration's failure status
/// (Unhealthy by default) with the exception. Register it with
/// <c>services.AddHealthChecks().AddCheck&lt;NoKVHealthCheck&gt;("nokv")</c>.
/// </summary>
public sealed class NoKVHealthCheck : IHealthCheck
{
    /// <summary>A well-formed block key NoKV never writes (ids start at 1): asking for it costs one cheap request.</summary>
    private const string ProbeKey = "0/0/0/0";

    private readonly WorkspaceStore _store;

    /// <summary>Checks <paramref name="store"/> (the container's store when resolved through DI).</summary>
    public NoKVHealthCheck(WorkspaceStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failureStatus = context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        long workspaces;
        try
        {
            workspaces = _store.Read(txn => txn.Count(Db.Workspaces));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new HealthCheckResult(failureStatus, $"The NoKV metadata in {_store.Directory} cannot be read: {e.Message}", e);
        }
        try
        {
            await _store.Blocks.ExistsAsync(ProbeKey, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(failureStatus, $"The NoKV block store of {_store.Directory} does not answer: {e.Message}", e);
        }
        return HealthCheckResult.Healthy($"NoKV store {_store.Directory}: metadata and block store answer.",
            new Dictionary<string, object> { ["workspaces"] = workspaces });
    }
}
