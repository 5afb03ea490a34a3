namespace NoKV;

/// <summary>
/// The settings of a store registered with <c>AddNoKV</c>, bindable from configuration:
/// <c>services.AddNoKV(configuration.GetSection("NoKV"))</c> reads <c>NoKV:Directory</c>,
/// <c>NoKV:ChunkSize</c>, ... They are validated when the host starts; a bad value fails the
/// start with an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming
/// the key. Defaults and rules are those of <see cref="WorkspaceStoreOptions"/>, which the
/// registration builds afresh from these each time it opens a store.
/// </summary>
public sealed class NoKVOptions
{
    /// <summary>The configuration section AddNoKV documents and examples use ("NoKV").</summary>
    public const string SectionName = "NoKV";

    // The one source of the defaults: a fresh WorkspaceStoreOptions.
    private static readonly WorkspaceStoreOptions Defaults = new();

    /// <inheritdoc cref="WorkspaceStoreOptions.Directory"/>
    public string? Directory { get; set; }

    /// <inheritdoc cref="WorkspaceStoreOptions.ChunkSize"/>
    public int ChunkSize { get; set; } = Defaults.ChunkSize;

    /// <inheritdoc cref="WorkspaceStoreOptions.InlineThreshold"/>
    public int InlineThreshold { get; set; } = Defaults.InlineThreshold;

    /// <inheritdoc cref="WorkspaceStoreOptions.MaxFileSize"/>
    public long MaxFileSize { get; set; } = Defaults.MaxFileSize;

    /// <inheritdoc cref="WorkspaceStoreOptions.Durability"/>
    public Durability Durability { get; set; } = Defaults.Durability;

    /// <inheritdoc cref="WorkspaceStoreOptions.FlushInterval"/>
    public TimeSpan FlushInterval { get; set; } = Defaults.FlushInterval;

    /// <inheritdoc cref="WorkspaceStoreOptions.MaxMetadataSize"/>
    public long MaxMetadataSize { get; set; } = Defaults.MaxMetadataSize;

    /// <inheritdoc cref="WorkspaceStoreOptions.OrphanGracePeriod"/>
    public TimeSpan OrphanGracePeriod { get; set; } = Defaults.OrphanGracePeriod;

    /// <inheritdoc cref="WorkspaceStoreOptions.MaxParallelUploads"/>
    public int MaxParallelUploads { get; set; } = Defaults.MaxParallelUploads;

    /// <inheritdoc cref="WorkspaceStoreOptions.SlowOperationThreshold"/>
    public TimeSpan SlowOperationThreshold { get; set; } = Defaults.SlowOperationThreshold;

    /// <summary>A new <see cref="WorkspaceStoreOptions"/> with these values (never shared, so it may be changed).</summary>
    internal WorkspaceStoreOptions ToStoreOptions() => new()
    {
        Directory = Directory,
        ChunkSize = ChunkSize,
        InlineThreshold = InlineThreshold,
        MaxFileSize = MaxFileSize,
        Durability = Durability,
        FlushInterval = FlushInterval,
        MaxMetadataSize = MaxMetadataSize,
        OrphanGracePeriod = OrphanGracePeriod,
        MaxParallelUploads = MaxParallelUploads,
        SlowOperationThreshold = SlowOperationThreshold,
    };
}
