using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NoKV.Import;

/// <summary>
/// The libc calls and constants the Linux import walk uses. Descriptors are passed as
/// <see cref="SafeFileHandle"/> (kept alive for the call) and returned as int, since a C int
/// return widened to a handle could lose its sign on 64-bit.
/// </summary>
internal static class LinuxCalls
{
    public const int ReadOnly = 0; // O_RDONLY
    public const int NonBlock = 0x800; // O_NONBLOCK, the same on x86, x64, arm and arm64
    public const int CloseOnExec = 0x80000; // O_CLOEXEC, likewise

    public const int SymlinkNoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
    public const int EmptyPath = 0x1000; // AT_EMPTY_PATH

    // errno values shared by x86, x64, arm and arm64 (they differ only on alpha, mips, sparc, parisc).
    public const int ENoEnt = 2, ENxio = 6, ENotDir = 20, ELoop = 40;

    /// <summary>The architecture-dependent open flags: O_DIRECTORY and O_NOFOLLOW.</summary>
    internal sealed record OpenFlags(int Directory, int NoFollow);

    /// <summary>
    /// O_DIRECTORY and O_NOFOLLOW for this process (x86 and x64 take the asm-generic values, arm
    /// and arm64 their own); null on an architecture whose values are not listed here.
    /// </summary>
    public static readonly OpenFlags? Flags = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => new OpenFlags(Directory: 0x10000, NoFollow: 0x20000),
        Architecture.Arm64 or Architecture.Arm => new OpenFlags(Directory: 0x4000, NoFollow: 0x8000),
        _ => null,
    };

    private static readonly byte[] Dot = [(byte)'.', 0];
    private const uint StatxType = 0x1;
    // STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID | STATX_MTIME (linux/stat.h).
    private const uint StatxTypeModeOwnerTimes = 0x1 | 0x2 | 0x8 | 0x10 | 0x40;
    // struct statx (linux/stat.h, the same on every architecture): u32 mask @0, u32 blksize @4,
    // u64 attributes @8, u32 nlink @16, u32 uid @20, u32 gid @24, u16 mode @28, ..., and the
    // timestamps (struct statx_timestamp { s64 tv_sec; u32 tv_nsec; s32 pad; }) atime @64,
    // btime @80, ctime @96, mtime @112.
    private const int StatxUidOffset = 20, StatxGidOffset = 24, StatxModeOffset = 28, StatxMtimeOffset = 112;
    public const int EInval = 22;
    private const int DirentNameOffset = 19; // struct dirent64 (readdir on 64-bit, readdir64 on 32-bit): u64 ino, s64 off, u16 reclen, u8 type, name

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    public static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "openat", SetLastError = true)]
    public static extern int OpenAt(SafeFileHandle dirfd, byte[] name, int flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(SafeFileHandle dirfd, byte[] name, int flags, uint mask, byte[] buffer);

    [DllImport("libc", EntryPoint = "readlinkat", SetLastError = true)]
    private static extern nint ReadLinkAt(SafeFileHandle dirfd, byte[] name, byte[] buffer, nuint size);

    [DllImport("libc", EntryPoint = "fdopendir", SetLastError = true)]
    private static extern IntPtr FdOpenDir(int fd);

    [DllImport("libc", EntryPoint = "readdir", SetLastError = true)]
    private static extern IntPtr ReadDir64Bit(IntPtr dir);

    [DllImport("libc", EntryPoint = "readdir64", SetLastError = true)]
    private static extern IntPtr ReadDir32Bit(IntPtr dir);

    [DllImport("libc", EntryPoint = "closedir", SetLastError = true)]
    private static extern int CloseDir(IntPtr dir);

    /// <summary>A descriptor an open call returned, owned by the handle; null and the errno if the call failed.</summary>
    public static (SafeFileHandle? Handle, int Errno) Owned(int fd) =>
        fd < 0 ? (null, Marshal.GetLastPInvokeError()) : (new SafeFileHandle((IntPtr)fd, ownsHandle: true), 0);

    /// <summary>The st_mode of <paramref name="name"/> under <paramref name="dirfd"/> (statx's struct is the same on every architecture); the errno on failure.</summary>
    public static (int Mode, int Errno) StatMode(SafeFileHandle dirfd, byte[] name, int flags)
    {
        var buffer = new byte[256]; // sizeof(struct statx)
        if (Statx(dirfd, name, flags, StatxType, buffer) != 0) return (0, Marshal.GetLastPInvokeError());
        return (BitConverter.ToUInt16(buffer, StatxModeOffset), 0);
    }

    /// <summary>
    /// The full st_mode (type and permission bits), uid, gid and modification time of
    /// <paramref name="name"/> under <paramref name="dirfd"/>; the errno on failure.
    /// </summary>
    public static (int Mode, Import.SourceEntryAttributes Attributes, int Errno) StatAttributes(SafeFileHandle dirfd, byte[] name, int flags)
    {
        var buffer = new byte[256]; // sizeof(struct statx)
        if (Statx(dirfd, name, flags, StatxTypeModeOwnerTimes, buffer) != 0) return (0, default, Marshal.GetLastPInvokeError());
        int mode = BitConverter.ToUInt16(buffer, StatxModeOffset);
        var ticks = Import.SourceEntryAttributes.TicksOfUnixTime(BitConverter.ToInt64(buffer, StatxMtimeOffset), BitConverter.ToUInt32(buffer, StatxMtimeOffset + 8));
        return (mode, new Import.SourceEntryAttributes(mode & 0xFFF, BitConverter.ToUInt32(buffer, StatxUidOffset), BitConverter.ToUInt32(buffer, StatxGidOffset), ticks), 0);
    }

    /// <summary>
    /// The target bytes of the link <paramref name="name"/> under <paramref name="dirfd"/>, read
    /// with readlinkat (never followed); up to <paramref name="limit"/> + 1 bytes, so a longer
    /// target shows as longer than the limit. EINVAL when the entry is not a link.
    /// </summary>
    public static (byte[]? Target, int Errno) ReadLink(SafeFileHandle dirfd, byte[] name, int limit)
    {
        var buffer = new byte[limit + 1];
        var n = ReadLinkAt(dirfd, name, buffer, (nuint)buffer.Length);
        if (n < 0) return (null, Marshal.GetLastPInvokeError());
        return (buffer[..(int)n], 0);
    }

    /// <summary>
    /// The names in the directory <paramref name="dirfd"/> is open on, as NUL-terminated bytes,
    /// without "." and "..". It is read through a second descriptor for the same directory (opened
    /// as "." under it), since closedir closes the descriptor it reads; the errno on failure.
    /// </summary>
    public static (List<byte[]> Names, int Errno) ReadNames(SafeFileHandle dirfd, OpenFlags flags)
    {
        var names = new List<byte[]>();
        var listFd = OpenAt(dirfd, Dot, ReadOnly | flags.Directory | CloseOnExec);
        if (listFd < 0) return (names, Marshal.GetLastPInvokeError());
        var dir = FdOpenDir(listFd);
        if (dir == IntPtr.Zero)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = Close(listFd); // cleanup after a failure already being reported
            return (names, errno);
        }
        try
        {
            while (true)
            {
                // readdir returns null both at the end and on an error; only errno tells them apart
                // (SetLastError clears errno before the call).
                var entry = IntPtr.Size == 8 ? ReadDir64Bit(dir) : ReadDir32Bit(dir);
                if (entry == IntPtr.Zero)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    return (names, errno);
                }
                var name = NameAt(entry + DirentNameOffset);
                if (name is [(byte)'.', 0] or [(byte)'.', (byte)'.', 0]) continue;
                names.Add(name);
            }
        }
        finally
        {
            // A read-only directory descriptor has nothing to flush: a failed close loses nothing.
            _ = CloseDir(dir);
        }
    }

    /// <summary>The NUL-terminated name at <paramref name="at"/>, NUL included.</summary>
    private static byte[] NameAt(IntPtr at)
    {
        var length = 0;
        while (Marshal.ReadByte(at, length) != 0) length++;
        var name = new byte[length + 1];
        Marshal.Copy(at, name, 0, length);
        return name;
    }
}
