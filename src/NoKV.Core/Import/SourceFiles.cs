using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NoKV.Import;

/// <summary>
/// Looks at import source entries without opening them, and opens regular files so that no open
/// can block. .NET reports neither FIFOs nor sockets nor devices (they look like regular files to
/// FileInfo), and opening a FIFO for reading waits for a writer, so on Linux and macOS the entry
/// type comes from lstat/statx, and on Linux a regular file is opened with O_NONBLOCK and
/// re-checked on the open descriptor (a file swapped for a FIFO in between is caught, not waited
/// on). Windows has no such files in a directory listing: a device there is the Device attribute.
/// These path-based calls serve <see cref="PathSourceDirectory"/>, used where the import cannot walk
/// by directory descriptors (<see cref="SourceDirectory"/>); on Linux <see cref="LinuxSourceDirectory"/>
/// opens entries relative to their directory instead.
/// </summary>
internal static partial class SourceFiles
{
    /// <summary>The entry's type, links not followed; <see cref="FileNotFoundException"/> if it vanished.</summary>
    public static SourceEntryType TypeOf(FileSystemInfo entry)
    {
        if (OperatingSystem.IsLinux()) return Linux.TypeOf(entry.FullName);
        if (OperatingSystem.IsMacOS()) return MacOS.TypeOf(entry.FullName);
        // Windows (and platforms without a probe): what .NET itself can tell.
        if (entry.LinkTarget is not null) return SourceEntryType.SymbolicLink;
        if (entry is DirectoryInfo) return SourceEntryType.Directory;
        return entry.Attributes.HasFlag(FileAttributes.Device) ? SourceEntryType.CharacterDevice : SourceEntryType.RegularFile;
    }

    /// <summary>
    /// Opens a file <see cref="TypeOf"/> found regular for sequential reading, or returns null and
    /// its new type if it has since been replaced by something else.
    /// </summary>
    public static (FileStream? Stream, SourceEntryType Type) OpenRegular(string path)
    {
        if (!OperatingSystem.IsLinux() || Linux.OpenFlags is not { } flags)
        {
            return (new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan), SourceEntryType.RegularFile);
        }
        var (handle, type) = Linux.OpenNonBlocking(path, flags);
        if (handle is null) return (null, type);
        try
        {
            return (new FileStream(handle, FileAccess.Read, 1), SourceEntryType.RegularFile);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>A NUL-terminated UTF-8 path, as libc takes it (passed as bytes: no string marshalling to get wrong).</summary>
    private static byte[] CString(string path) => System.Text.Encoding.UTF8.GetBytes(path + "\0");

    internal static IOException Failure(string what, string path, int errno) =>
        errno == 2 // ENOENT
            ? new FileNotFoundException($"Import source entry '{path}' disappeared during the import.", path)
            : new IOException($"{what} failed for import source entry '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");

    /// <summary>statx: its struct is the same on every Linux architecture (unlike struct stat).</summary>
    private static class Linux
    {
        private const int AtFdCwd = -100;
        private const int AtSymlinkNoFollow = 0x100;
        private const int AtEmptyPath = 0x1000;
        private const uint StatxType = 0x1;
        private const int StatxModeOffset = 28; // u32 mask, u32 blksize, u64 attributes, u32 nlink, u32 uid, u32 gid, then u16 mode
        private const int ELoop = 40, ENxio = 6;

        /// <summary>
        /// O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC where their values are known (O_NOFOLLOW
        /// differs between x86 and ARM); null elsewhere, where files are opened without the guard.
        /// </summary>
        public static int? OpenFlags => LinuxCalls.Flags is { } flags ? LinuxCalls.NonBlock | flags.NoFollow | LinuxCalls.CloseOnExec : null;

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        private static extern int StatxPath(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int Open(byte[] path, int flags);

        public static SourceEntryType TypeOf(string path) => Stat(AtFdCwd, path, AtSymlinkNoFollow, path);

        public static (SafeFileHandle? Handle, SourceEntryType Type) OpenNonBlocking(string path, int flags)
        {
            // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer (reads of
            // a regular file ignore the flag). O_NOFOLLOW: a file swapped for a link is not followed.
            var fd = Open(CString(path), flags);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == ELoop) return (null, SourceEntryType.SymbolicLink);
                if (errno == ENxio) return (null, SourceEntryType.Socket); // a socket cannot be opened
                throw Failure("open", path, errno);
            }
            var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
            try
            {
                var type = Stat(fd, "", AtEmptyPath, path);
                if (type == SourceEntryType.RegularFile) return (handle, type);
                handle.Dispose();
                return (null, type);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        private static SourceEntryType Stat(int dirfd, string path, int flags, string shownPath)
        {
            var buffer = new byte[256]; // sizeof(struct statx)
            if (StatxPath(dirfd, CString(path), flags, StatxType, buffer) != 0) throw Failure("statx", shownPath, Marshal.GetLastPInvokeError());
            return SourceEntryTypeExtensions.FromMode(BitConverter.ToUInt16(buffer, StatxModeOffset));
        }
    }

    /// <summary>lstat with the 64-bit-inode struct stat, whose st_mode (u16) follows a 32-bit st_dev.</summary>
    private static class MacOS
    {
        private const int ModeOffset = 4;

        [DllImport("libc", EntryPoint = "lstat", SetLastError = true)]
        private static extern int LStatArm64(byte[] path, byte[] buffer);

        [DllImport("libc", EntryPoint = "lstat$INODE64", SetLastError = true)]
        private static extern int LStatX64(byte[] path, byte[] buffer);

        public static SourceEntryType TypeOf(string path)
        {
            var buffer = new byte[256]; // sizeof(struct stat) is 144
            var rc = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? LStatX64(CString(path), buffer) : LStatArm64(CString(path), buffer);
            if (rc != 0) throw Failure("lstat", path, Marshal.GetLastPInvokeError());
            return SourceEntryTypeExtensions.FromMode(BitConverter.ToUInt16(buffer, ModeOffset));
        }
    }
}
