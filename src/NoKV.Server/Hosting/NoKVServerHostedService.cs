using Microsoft.Extensions.Hosting;

namespace NoKV.Server.Hosting;

/// <summary>Starts a <see cref="NoKVServer"/> on the container's store when the host starts, and stops it before the store closes.</summary>
internal sealed class NoKVServerHostedService(WorkspaceStore store, NoKVServerOptions options) : IHostedService, IAsyncDisposable
{
    private NoKVServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _server = await NoKVServer.StartAsync(store, options, cancellationToken).ConfigureAwait(false);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server) await server.DisposeAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;
}
