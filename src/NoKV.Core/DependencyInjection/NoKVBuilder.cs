namespace NoKV;

/// <summary>Configures the <see cref="WorkspaceStore"/> that <c>AddNoKV</c> registers.</summary>
public sealed class NoKVBuilder
{
    private readonly List<Action<WorkspaceStoreOptions>> _configure = [];

    internal NoKVBuilder()
    {
    }

    internal Func<IServiceProvider, IBlockStore>? BlockStoreFactory { get; private set; }

    /// <summary>Keeps the store (LMDB metadata, and local blocks unless another block store is chosen) in <paramref name="directory"/>.</summary>
    public NoKVBuilder UseDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return Configure(o => o.Directory = directory);
    }

    /// <summary>The embedded default: metadata and blocks on local disk in <paramref name="directory"/> ({directory}/meta, {directory}/blocks).</summary>
    public NoKVBuilder UseLocalBlocks(string directory)
    {
        UseDirectory(directory);
        BlockStoreFactory = null;
        return this;
    }

    /// <summary>Puts blocks in a block store built from the service provider (metadata stays in the store directory).</summary>
    public NoKVBuilder UseBlockStore(Func<IServiceProvider, IBlockStore> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        BlockStoreFactory = factory;
        return this;
    }

    /// <summary>Adjusts any other option (chunk size, grace period, parallel uploads, ...).</summary>
    public NoKVBuilder Configure(Action<WorkspaceStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configure.Add(configure);
        return this;
    }

    /// <summary>What this builder configured, as one registration (its actions run afresh on a new options object at every open).</summary>
    internal NoKVRegistration Build() => new([.. _configure], BlockStoreFactory);

    /// <summary>Throws at registration when nothing names a store directory (only AddNoKV without configuration asks).</summary>
    internal void EnsureDirectory()
    {
        if (string.IsNullOrWhiteSpace(Build().Compose(new NoKVOptions()).Directory))
            throw new InvalidOperationException("AddNoKV needs a store directory: call UseLocalBlocks(directory) or UseDirectory(directory), or bind NoKV:Directory from configuration.");
    }
}
