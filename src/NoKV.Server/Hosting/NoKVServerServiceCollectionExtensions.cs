using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using NoKV.Server;
using NoKV.Server.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Serves the store that <c>AddNoKV</c> registers to other processes.</summary>
public static class NoKVServerServiceCollectionExtensions
{
    /// <summary>
    /// Serves the registered <see cref="NoKV.WorkspaceStore"/> on its Unix socket
    /// (<c>{store}/nokv.sock</c>, mode 0600) while the host runs: a hosted service starts the
    /// server when the host starts and stops it when the host stops. Call after <c>AddNoKV</c>.
    /// </summary>
    /// <example><code>services.AddNoKV("/var/lib/nokv").AddNoKVServer();</code></example>
    public static IServiceCollection AddNoKVServer(this IServiceCollection services, Action<NoKVServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new NoKVServerOptions();
        configure?.Invoke(options);
        options.Validate(); // fail at registration, not when the host starts
        services.TryAddSingleton(options);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, NoKVServerHostedService>());
        return services;
    }
}
