namespace NoKV;

/// <summary>A block as listed by <see cref="IBlockStore.ListAsync"/>.</summary>
/// <param name="Key">The block key.</param>
/// <param name="Length">The block's size in bytes.</param>
/// <param name="LastModifiedUtc">When the block was written (UTC); orphan collection uses it for the grace period.</param>
public sealed record BlockInfo(string Key, long Length, DateTime LastModifiedUtc);
