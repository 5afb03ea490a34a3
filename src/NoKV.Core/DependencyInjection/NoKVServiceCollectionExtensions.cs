using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using NoKV;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers NoKV with a service collection.</summary>
public static class NoKVServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="WorkspaceStore"/> singleton, opened on first use and disposed with
    /// the service provider. Logs through the container's <see cref="ILoggerFactory"/> if there is one.
    /// </summary>
    /// <example><code>services.AddNoKV(o => o.UseLocalBlocks("/var/lib/agents/nokv"));</code></example>
    public static IServiceCollection AddNoKV(this IServiceCollection services, Action<NoKVBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new NoKVBuilder();
        configure(builder);
        var options = builder.BuildOptions(); // fail at registration, not at first use, on a missing directory

        services.TryAddSingleton(provider =>
        {
            options.LoggerFactory ??= provider.GetService<ILoggerFactory>();
            if (builder.BlockStoreFactory is { } factory)
            {
                options.BlockStore = factory(provider);
                options.OwnsBlockStore = true;
            }
            return WorkspaceStore.Open(options);
        });
        return services;
    }

    /// <summary>Registers NoKV with metadata and blocks on local disk in <paramref name="directory"/>.</summary>
    public static IServiceCollection AddNoKV(this IServiceCollection services, string directory) =>
        services.AddNoKV(o => o.UseLocalBlocks(directory));
}
