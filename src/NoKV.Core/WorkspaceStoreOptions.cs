using Microsoft.Extensions.Logging;

namespace NoKV;

/// <summary>How to open a <see cref="WorkspaceStore"/>.</summary>
public sealed class WorkspaceStoreOptions
{
    /// <summary>The smallest allowed chunk size (4 KiB).</summary>
    public const int MinChunkSize = 4 * 1024;

    /// <summary>The largest allowed chunk size (256 MiB).</summary>
    public const int MaxChunkSize = 256 * 1024 * 1024;

    /// <summary>The store directory: LMDB metadata goes in {Directory}/meta, local blocks (the default) in {Directory}/blocks.</summary>
    public string? Directory { get; set; }

    /// <summary>Where blocks go; null means a <see cref="LocalBlockStore"/> in {Directory}/blocks.</summary>
    public IBlockStore? BlockStore { get; set; }

    /// <summary>The size of the chunks files are split into (default 4 MiB). Files keep the chunk size they were written with.</summary>
    public int ChunkSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>The largest the metadata file may grow (LMDB map size; default 64 GiB, reserved as address space, not disk).</summary>
    public long MaxMetadataSize { get; set; } = 64L * 1024 * 1024 * 1024;

    /// <summary>How old a block with no metadata must be before GC deletes it as an orphan (default 1 hour).</summary>
    public TimeSpan OrphanGracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many chunks one write session may upload at once (default 4); 1 uploads in order, one at a time.</summary>
    public int MaxParallelUploads { get; set; } = 4;

    /// <summary>Metadata operations that take longer than this are logged as slow (default 1 s).</summary>
    public TimeSpan SlowOperationThreshold { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Where NoKV logs GC runs and failed writes (never file contents or credentials); null for none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Set by AddNoKV for a block store it built: the store then disposes it.</summary>
    internal bool OwnsBlockStore { get; set; }

    internal WorkspaceStoreOptions Validated()
    {
        if (string.IsNullOrWhiteSpace(Directory)) throw new ArgumentException("WorkspaceStoreOptions.Directory is required.", nameof(Directory));
        if (ChunkSize is < MinChunkSize or > MaxChunkSize)
            throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, $"ChunkSize must be between {MinChunkSize} and {MaxChunkSize} bytes.");
        if (MaxMetadataSize < 1024 * 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxMetadataSize), MaxMetadataSize, "MaxMetadataSize must be at least 1 MiB.");
        if (MaxParallelUploads is < 1 or > 256)
            throw new ArgumentOutOfRangeException(nameof(MaxParallelUploads), MaxParallelUploads, "MaxParallelUploads must be between 1 and 256.");
        if (OrphanGracePeriod < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(OrphanGracePeriod), OrphanGracePeriod, "OrphanGracePeriod may not be negative.");
        return new WorkspaceStoreOptions
        {
            Directory = Path.GetFullPath(Directory),
            BlockStore = BlockStore,
            ChunkSize = ChunkSize,
            MaxMetadataSize = MaxMetadataSize,
            OrphanGracePeriod = OrphanGracePeriod,
            MaxParallelUploads = MaxParallelUploads,
            LoggerFactory = LoggerFactory,
            OwnsBlockStore = OwnsBlockStore,
            SlowOperationThreshold = SlowOperationThreshold,
        };
    }
}
