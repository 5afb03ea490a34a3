using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NoKV;

/// <summary>A background service that serves each agent task its own fork of the base workspace.</summary>
internal sealed partial class AgentPool(WorkspaceStore store, HealthCheckService health, ILogger<AgentPool> logger, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var baseWs = store.WorkspaceExists("/base") ? store.OpenWorkspace("/base") : store.CreateWorkspace("/base");
        baseWs.CreateDirectory("/src");
        await baseWs.WriteAllBytesAsync("/src/app.py", "print('hello')\n"u8.ToArray(), stoppingToken);
        var pin = baseWs.Snapshot();

        var tasks = new[] { "add-logging", "fix-typo", "write-tests" };
        await Parallel.ForEachAsync(tasks, stoppingToken, async (task, ct) =>
        {
            var fork = store.Clone(pin, $"/agents/{task}").Workspace;
            await fork.WriteAllBytesAsync($"/src/{task}.md", System.Text.Encoding.UTF8.GetBytes($"notes for {task}\n"), ct);
            if (task == "fix-typo") await fork.WriteAllBytesAsync("/src/app.py", "print('Hello')\n"u8.ToArray(), ct);
            var changes = store.Diff(pin, fork.Path, ct);
            var paths = string.Join(", ", changes.Select(c => $"{c.Kind} {c.Path}"));
            AgentFinished(logger, task, changes.Count, paths);
        });

        foreach (var task in tasks) store.DeleteWorkspace($"/agents/{task}");
        store.ReleaseSnapshot(pin.Id);
        var gc = await store.CollectGarbageAsync(cancellationToken: stoppingToken);
        PoolDone(logger, gc.BlocksDeleted);
        var report = await health.CheckHealthAsync(stoppingToken);
        StoreHealth(logger, report.Status);
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "agent {Task} changed {Count} paths: {Paths}")]
    private static partial void AgentFinished(ILogger logger, string task, int count, string paths);

    [LoggerMessage(Level = LogLevel.Information, Message = "store health: {Status}")]
    private static partial void StoreHealth(ILogger logger, HealthStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "done: {Blocks} blocks reclaimed; the store stays registered for the app's lifetime")]
    private static partial void PoolDone(ILogger logger, long blocks);
}
