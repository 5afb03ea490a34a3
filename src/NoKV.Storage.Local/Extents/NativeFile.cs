using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NoKV.Storage.Local.Extents;

/// <summary>
/// The two system calls .NET does not offer on a file handle: <c>fdatasync</c> (flush the data
/// and the size, not the times) and <c>fallocate(PUNCH_HOLE)</c> (give a deleted slot's disk
/// space back without moving the rest of the file). Linux only; elsewhere a full flush and no
/// hole (the slot's entry is zeroed either way, so it reads as empty).
/// </summary>
internal static partial class NativeFile
{
    private const int FallocFlKeepSize = 0x01;
    private const int FallocFlPunchHole = 0x02;

    /// <summary>Flushes the file's data (and whatever metadata finding it needs) to the disk.</summary>
    /// <exception cref="IOException">The flush failed.</exception>
    public static void FlushData(SafeFileHandle handle, FileStream stream)
    {
        if (OperatingSystem.IsLinux())
        {
            if (fdatasync(handle) != 0) throw new IOException($"fdatasync failed: errno {Marshal.GetLastPInvokeError()}");
            return;
        }
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Frees the disk space of a byte range, keeping the file's size; false where the file system or OS cannot.</summary>
    public static bool TryPunchHole(SafeFileHandle handle, long offset, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0) return false;
        return fallocate(handle, FallocFlPunchHole | FallocFlKeepSize, offset, length) == 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(SafeFileHandle fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fallocate(SafeFileHandle fd, int mode, long offset, long length);
}
