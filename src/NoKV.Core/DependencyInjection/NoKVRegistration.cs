using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NoKV;

/// <summary>
/// One AddNoKV registration: the builder's adjustments and block store factory, applied on top
/// of the bound <see cref="NoKVOptions"/>. Every open (and every validation) composes a new
/// <see cref="WorkspaceStoreOptions"/>: nothing captured at registration is ever changed, so two
/// service providers built from one collection each get their own logger, meter and block store.
/// </summary>
internal sealed class NoKVRegistration(IReadOnlyList<Action<WorkspaceStoreOptions>> configure, Func<IServiceProvider, IBlockStore>? blockStoreFactory)
{
    /// <summary>The bound settings with the builder's adjustments on top, in a new options object.</summary>
    public WorkspaceStoreOptions Compose(NoKVOptions settings)
    {
        var options = settings.ToStoreOptions();
        foreach (var adjust in configure) adjust(options);
        return options;
    }

    /// <summary>Opens the container's store: validated settings (IOptions throws on bad ones), the container's logging and metrics.</summary>
    public WorkspaceStore Open(IServiceProvider provider)
    {
        var options = Compose(provider.GetRequiredService<IOptions<NoKVOptions>>().Value);
        options.LoggerFactory ??= provider.GetService<ILoggerFactory>();
        options.MeterFactory ??= provider.GetService<IMeterFactory>();
        options.TimeProvider ??= provider.GetService<TimeProvider>();
        if (blockStoreFactory is null) return WorkspaceStore.Open(options);

        var blocks = blockStoreFactory(provider);
        options.BlockStore = blocks;
        options.OwnsBlockStore = true;
        try
        {
            return WorkspaceStore.Open(options);
        }
        catch
        {
            (blocks as IDisposable)?.Dispose(); // nobody else holds it
            throw;
        }
    }
}
