using System.IO.Hashing;
using NoKV.Storage.Local.Extents;

namespace NoKV.Tests;

/// <summary>Direct access to a local store's extent files, for tests that check the layout or play a crash's part.</summary>
internal static class ExtentTestFiles
{
    public static string PathOf(string root, string generationKey) =>
        Path.Combine(root, generationKey.Replace('/', Path.DirectorySeparatorChar), ExtentFormat.FileName);

    public static long DataOffset(int slot, int slotSize) => ExtentFormat.DataOffset(slot, slotSize);

    public static void WriteRaw(string path, long offset, ReadOnlySpan<byte> bytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        RandomAccess.Write(file.SafeFileHandle, bytes, offset);
    }

    public static byte[] ReadRaw(string path, long offset, int length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var bytes = new byte[length];
        var n = RandomAccess.Read(file.SafeFileHandle, bytes, offset);
        return bytes[..n];
    }

    /// <summary>
    /// Plays a put that a crash cut short in slot <paramref name="slot"/> of an extent file
    /// (created if absent): <paramref name="kind"/> 0 = the entry reached the disk but only part of
    /// the bytes (other bytes after them); 1 = the entry but none of the bytes; 2 = all bytes but half the entry; 3 = the
    /// entry and the bytes, then the file's end cut inside them (its size update was lost).
    /// </summary>
    public static void Tear(string root, string generationKey, int slot, int slotSize, byte[] data, int kind, int cut)
    {
        var path = PathOf(root, generationKey);
        using (ExtentFile.OpenOrCreate(path, slotSize, new object())) { }
        var entryBytes = new byte[ExtentFormat.EntrySize];
        ExtentFormat.WriteEntry(entryBytes, new SlotEntry(data.Length, XxHash3.HashToUInt64(data), (ulong)Random.Shared.NextInt64(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        var dataOffset = ExtentFormat.DataOffset(slot, slotSize);
        cut = Math.Clamp(cut, 0, data.Length - 1);
        switch (kind)
        {
            case 0:
                WriteRaw(path, dataOffset, data.AsSpan(0, cut));
                WriteRaw(path, dataOffset + cut, Other(data.AsSpan(cut)));
                WriteRaw(path, ExtentFormat.EntryOffset(slot), entryBytes);
                break;
            case 1:
                WriteRaw(path, dataOffset, Other(data));
                WriteRaw(path, ExtentFormat.EntryOffset(slot), entryBytes);
                break;
            case 2:
                WriteRaw(path, dataOffset, data);
                WriteRaw(path, ExtentFormat.EntryOffset(slot), entryBytes.AsSpan(0, ExtentFormat.EntrySize / 2));
                break;
            default:
                WriteRaw(path, dataOffset, data);
                WriteRaw(path, ExtentFormat.EntryOffset(slot), entryBytes);
                using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
                {
                    file.SetLength(dataOffset + cut);
                }
                break;
        }
    }

    // What the disk holds where a put's bytes did not arrive: anything but those bytes (a random
    // block may end in zeros, so zeros would sometimes be the very bytes).
    private static byte[] Other(ReadOnlySpan<byte> data)
    {
        var other = data.ToArray();
        for (var i = 0; i < other.Length; i++) other[i] ^= 0xFF;
        return other;
    }

    /// <summary>The disk space a file takes, in bytes (its allocated blocks, holes excluded).</summary>
    public static long AllocatedBytes(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true })!;
        var parts = stat.StandardOutput.ReadToEnd().Trim().Split(' ');
        stat.WaitForExit();
        return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
