using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NoKV;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers NoKV with a service collection.</summary>
public static class NoKVServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="WorkspaceStore"/> singleton, opened on first use and disposed with
    /// the service provider. Logs through the container's <see cref="ILoggerFactory"/> and reports
    /// metrics through its <see cref="System.Diagnostics.Metrics.IMeterFactory"/> if it has them.
    /// The settings are validated when the host starts.
    /// </summary>
    /// <example><code>services.AddNoKV(o => o.UseLocalBlocks("/var/lib/agents/nokv"));</code></example>
    /// <exception cref="InvalidOperationException">Nothing names a store directory (checked at registration).</exception>
    public static IServiceCollection AddNoKV(this IServiceCollection services, Action<NoKVBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new NoKVBuilder();
        configure(builder);
        builder.EnsureDirectory(); // fail at registration, not at first use, on a missing directory
        return services.AddNoKV(builder.Build());
    }

    /// <summary>Registers NoKV with metadata and blocks on local disk in <paramref name="directory"/>.</summary>
    public static IServiceCollection AddNoKV(this IServiceCollection services, string directory) =>
        services.AddNoKV(o => o.UseLocalBlocks(directory));

    /// <summary>
    /// Registers NoKV with its settings bound from configuration (<see cref="NoKVOptions"/>:
    /// <c>Directory</c>, <c>ChunkSize</c>, <c>MaxMetadataSize</c>, <c>OrphanGracePeriod</c>,
    /// <c>MaxParallelUploads</c>, <c>SlowOperationThreshold</c>), and optionally a builder for
    /// what configuration cannot say (a block store). Bad or missing values fail the host's start
    /// with an <see cref="OptionsValidationException"/> that names each key.
    /// </summary>
    /// <example><code>builder.Services.AddNoKV(builder.Configuration.GetSection(NoKVOptions.SectionName));</code></example>
    public static IServiceCollection AddNoKV(this IServiceCollection services, IConfiguration configuration, Action<NoKVBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = new NoKVBuilder();
        configure?.Invoke(builder);
        services.AddOptions<NoKVOptions>().Bind(configuration);
        return services.AddNoKV(builder.Build());
    }

    private static IServiceCollection AddNoKV(this IServiceCollection services, NoKVRegistration registration)
    {
        services.AddOptions<NoKVOptions>().ValidateOnStart();
        services.TryAddSingleton(registration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NoKVOptions>, NoKVOptionsValidator>());
        services.TryAddSingleton(provider => provider.GetRequiredService<NoKVRegistration>().Open(provider));
        return services;
    }
}
