namespace NoKV;

/// <summary>How a <see cref="LocalBlockStore"/> lays out and writes its blocks.</summary>
public sealed class LocalBlockStoreOptions
{
    /// <summary>The <see cref="ExtentSlotSize"/> that suits NoKV's default chunk size (4 MiB).</summary>
    public const int ChunkSizedExtentSlot = 4 * 1024 * 1024;

    /// <summary>The largest <see cref="ExtentSlotSize"/> (NoKV's largest chunk size).</summary>
    public const int MaxExtentSlotSize = 256 * 1024 * 1024;

    /// <summary>When true (the default), every block is flushed to disk before a put returns.</summary>
    public bool Durable { get; set; } = true;

    /// <summary>
    /// The slot size of new extent files, in bytes: a multiple of 4,096 up to
    /// <see cref="MaxExtentSlotSize"/>, best equal to the chunk size of the blocks written (a
    /// larger block gets a file of its own). A generation's chunks "{…}/{generation}/{n}" are kept
    /// in one file, chunk n at offset n × slot size, so a large file lies contiguously on disk.
    /// 0, the default for now, stores every block in a file of its own (the layout stores have
    /// always used); blocks of either layout are read whatever this is set to. Extents are opt-in
    /// until their figures are measured on a quiet machine and a damaged slot is reported as
    /// corrupted rather than missing (docs/PERFORMANCE.md).
    /// </summary>
    public int ExtentSlotSize { get; set; }

    internal void Validate()
    {
        if (ExtentSlotSize is < 0 or > MaxExtentSlotSize || ExtentSlotSize % 4096 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ExtentSlotSize), ExtentSlotSize, $"must be 0 or a multiple of 4096 up to {MaxExtentSlotSize}.");
        }
    }
}
