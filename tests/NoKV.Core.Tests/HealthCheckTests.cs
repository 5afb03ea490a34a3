using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NoKV.Tests;

/// <summary>NoKVHealthCheck through the real health check service, on a real store whose block store can go down.</summary>
public sealed class HealthCheckTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nokv-health-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private ServiceProvider Provider(SwitchableBlockStore blocks)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNoKV(o => o.UseDirectory(_dir).UseBlockStore(_ => blocks));
        services.AddHealthChecks().AddCheck<NoKVHealthCheck>("nokv");
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task A_store_whose_metadata_and_blocks_answer_is_healthy()
    {
        await using var provider = Provider(new SwitchableBlockStore(new LocalBlockStore(Path.Combine(_dir, "blocks"))));
        provider.GetRequiredService<WorkspaceStore>().CreateWorkspace("/base");

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = report.Entries["nokv"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(1L, entry.Data["workspaces"]);
    }

    [Fact]
    public async Task A_block_store_that_fails_makes_the_store_unhealthy_with_the_exception()
    {
        var blocks = new SwitchableBlockStore(new LocalBlockStore(Path.Combine(_dir, "blocks")));
        await using var provider = Provider(blocks);
        provider.GetRequiredService<WorkspaceStore>().CreateWorkspace("/base");
        blocks.Down = true;

        var entry = (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["nokv"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.IsType<BlockStoreException>(entry.Exception);
        Assert.Contains("block store", entry.Description, StringComparison.Ordinal);

        blocks.Down = false;
        Assert.Equal(HealthStatus.Healthy, (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task A_closed_store_is_unhealthy()
    {
        var store = WorkspaceStore.Open(_dir + "-closed");
        try
        {
            store.Dispose();
            var result = await new NoKVHealthCheck(store).CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Unhealthy, result.Status);
            Assert.IsType<ObjectDisposedException>(result.Exception);
            Assert.Contains("metadata", result.Description, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(_dir + "-closed", recursive: true);
        }
    }

    /// <summary>A real local block store that can be switched off: every call then fails as an unreachable service would.</summary>
    private sealed class SwitchableBlockStore(IBlockStore inner) : DecoratedBlockStore(inner)
    {
        public bool Down { get; set; }

        private static BlockStoreException Unreachable() => new("block store unreachable (injected)", transient: true);

        public override ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
            Down ? throw Unreachable() : base.ExistsAsync(key, cancellationToken);

        public override ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default) =>
            Down ? throw Unreachable() : base.ReadAsync(key, offset, destination, cancellationToken);

        public override ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
            Down ? throw Unreachable() : base.PutAsync(key, data, cancellationToken);
    }
}
