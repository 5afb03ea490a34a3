using System.IO.Hashing;

namespace NoKV.Blocks;

/// <summary>Block checksums: XxHash3 (64-bit), fast enough (~30 GB/s a core) to verify every read.</summary>
internal static class ChunkChecksum
{
    public static ulong Of(ReadOnlySpan<byte> data) => XxHash3.HashToUInt64(data);
}
