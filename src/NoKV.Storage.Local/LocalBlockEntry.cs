namespace NoKV.Storage.Local;

/// <summary>One block file found by <see cref="LocalBlockDirectory.List"/>.</summary>
/// <param name="Key">The block key, '/'-separated, relative to the directory root.</param>
/// <param name="Length">The block's size in bytes.</param>
/// <param name="LastWriteUtc">When the block file was last written (UTC).</param>
public sealed record LocalBlockEntry(string Key, long Length, DateTime LastWriteUtc);
