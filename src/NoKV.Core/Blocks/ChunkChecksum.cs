using System.IO.Hashing;

namespace NoKV.Blocks;

/// <summary>Block checksums: XxHash3 (64-bit), fast enough (~30 GB/s a core) to verify every read.</summary>
internal static class ChunkChecksum
{
    public static ulong Of(ReadOnlySpan<byte> data) => XxHash3.HashToUInt64(data);

    /// <summary>
    /// What is wrong with <paramref name="data"/> read from a chunk's block (read with room for
    /// one byte more than recorded, so a block that grew shows), or null if it is the chunk:
    /// the one check every read and Verify make.
    /// </summary>
    public static string? Mismatch(Lmdb.ChunkRecord expected, ReadOnlySpan<byte> data) =>
        data.Length > expected.Length ? $"longer than the recorded {expected.Length} bytes"
        : data.Length < expected.Length ? $"expected {expected.Length} bytes, found {data.Length}"
        // A zero chunk's bytes are made on the read, not stored: there is nothing to check.
        : expected.Storage != Lmdb.ChunkStorage.Zeros && Of(data) != expected.Checksum ? "checksum mismatch"
        : null;
}
