using System.Diagnostics.Metrics;
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

    /// <summary>The most chunks one file may have (2²⁰: 4 TiB at the default 4 MiB chunk size); see <see cref="MaxFileSize"/>.</summary>
    public const int MaxFileChunks = 1 << 20;

    /// <summary>The largest <see cref="InlineThreshold"/> (64 KiB).</summary>
    public const int MaxInlineThreshold = 64 * 1024;

    /// <summary>
    /// Files (and the last chunk of larger files) of at most this many bytes are kept in the
    /// metadata, committed with it: no block, no block fsync (default 16 KiB; 0 keeps every byte
    /// in blocks; at most <see cref="MaxInlineThreshold"/>; a chunk size below it lowers it to the chunk size).
    /// </summary>
    public int InlineThreshold { get; set; } = 16 * 1024;

    /// <summary>
    /// The longest a file may be (default 1 TiB). A file grown past its end (truncate, a write at
    /// an offset) records its zeros as one small metadata record per chunk and no block, so this
    /// bounds the metadata one call can write. A file also holds at most <see cref="MaxFileChunks"/>
    /// chunks, which lowers the limit for small chunk sizes (4 GiB at 4 KiB chunks).
    /// </summary>
    public long MaxFileSize { get; set; } = 1L << 40;

    /// <summary>When metadata changes become durable (default <see cref="NoKV.Durability.PerOperation"/>: before each operation returns).</summary>
    public Durability Durability { get; set; } = Durability.PerOperation;

    /// <summary>The longest <see cref="NoKV.Durability.Deferred"/> waits before it makes published changes durable (default 50 ms; 1 ms to 1 minute).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(50);

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

    /// <summary>
    /// Where the store's <see cref="Meter"/> (named <see cref="NoKVDiagnostics.MeterName"/>) comes
    /// from, so a host's metrics listeners see only its own stores; null for the process-wide meter.
    /// AddNoKV sets the container's factory.
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// The clock that time-to-live and expiry are measured by (null, the default: the system
    /// clock). AddNoKV sets the container's <see cref="System.TimeProvider"/> if it has one; tests
    /// pass a fake one.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Set by AddNoKV for a block store it built: the store then disposes it.</summary>
    internal bool OwnsBlockStore { get; set; }

    /// <summary>
    /// Every value out of range, by option name: the one rule set behind <see cref="Validated"/>
    /// (Open) and the start-time validation of <see cref="NoKVOptions"/>.
    /// </summary>
    internal IReadOnlyList<OptionProblem> FindProblems()
    {
        var problems = new List<OptionProblem>();
        if (string.IsNullOrWhiteSpace(Directory)) problems.Add(new(nameof(Directory), Directory, "is required: the store directory (metadata in {Directory}/meta, local blocks in {Directory}/blocks)."));
        if (ChunkSize is < MinChunkSize or > MaxChunkSize) problems.Add(new(nameof(ChunkSize), ChunkSize, $"must be between {MinChunkSize} and {MaxChunkSize} bytes."));
        if (MaxMetadataSize < 1024 * 1024) problems.Add(new(nameof(MaxMetadataSize), MaxMetadataSize, "must be at least 1 MiB (1048576 bytes)."));
        if (InlineThreshold is < 0 or > MaxInlineThreshold) problems.Add(new(nameof(InlineThreshold), InlineThreshold, $"must be between 0 and {MaxInlineThreshold} bytes."));
        if (!Enum.IsDefined(Durability)) problems.Add(new(nameof(Durability), Durability, "is not a Durability value."));
        if (FlushInterval < TimeSpan.FromMilliseconds(1) || FlushInterval > TimeSpan.FromMinutes(1)) problems.Add(new(nameof(FlushInterval), FlushInterval, "must be between 1 ms and 1 minute."));
        if (MaxFileSize < 1) problems.Add(new(nameof(MaxFileSize), MaxFileSize, "must be at least 1 byte."));
        if (MaxParallelUploads is < 1 or > 256) problems.Add(new(nameof(MaxParallelUploads), MaxParallelUploads, "must be between 1 and 256."));
        if (OrphanGracePeriod < TimeSpan.Zero) problems.Add(new(nameof(OrphanGracePeriod), OrphanGracePeriod, "may not be negative."));
        if (SlowOperationThreshold < TimeSpan.Zero) problems.Add(new(nameof(SlowOperationThreshold), SlowOperationThreshold, "may not be negative."));
        return problems;
    }

    /// <summary>A validated copy, with <see cref="Directory"/> made absolute; the first problem throws.</summary>
    /// <exception cref="ArgumentException">Directory is missing.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    internal WorkspaceStoreOptions Validated()
    {
        if (FindProblems() is [var problem, ..]) throw problem.ToException();
        return new WorkspaceStoreOptions
        {
            Directory = Path.GetFullPath(Directory!),
            BlockStore = BlockStore,
            ChunkSize = ChunkSize,
            InlineThreshold = InlineThreshold,
            MaxFileSize = MaxFileSize,
            Durability = Durability,
            FlushInterval = FlushInterval,
            MaxMetadataSize = MaxMetadataSize,
            OrphanGracePeriod = OrphanGracePeriod,
            MaxParallelUploads = MaxParallelUploads,
            LoggerFactory = LoggerFactory,
            MeterFactory = MeterFactory,
            TimeProvider = TimeProvider,
            OwnsBlockStore = OwnsBlockStore,
            SlowOperationThreshold = SlowOperationThreshold,
        };
    }
}
