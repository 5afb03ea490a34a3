using System.Runtime.InteropServices;
using System.Text;

namespace NoKV.Cli.Export;

/// <summary>
/// The libc calls export needs that .NET does not offer without following links: mkdir (fails on
/// anything already at the path, a link included), lchown, and utimensat with AT_SYMLINK_NOFOLLOW
/// (a link's own time). Linux and macOS on 64-bit only; elsewhere <see cref="Available"/> is false.
/// </summary>
internal static class PosixCalls
{
    private const int EExist = 17; // the same on Linux and macOS
    private const long UtimeOmit = (1L << 30) - 2; // leaves the access time as it is (Linux and macOS)

    /// <summary>True where these calls are used: 64-bit Linux or macOS (struct timespec is two 64-bit fields there).</summary>
    public static bool Available => (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && IntPtr.Size == 8;

    private static int AtFdCwd => OperatingSystem.IsMacOS() ? -2 : -100;
    private static int AtSymlinkNoFollow => OperatingSystem.IsMacOS() ? 0x20 : 0x100;

    [DllImport("libc", EntryPoint = "mkdir", SetLastError = true)]
    private static extern int MkDir(byte[] path, uint mode);

    [DllImport("libc", EntryPoint = "lchown", SetLastError = true)]
    private static extern int LChown(byte[] path, uint owner, uint group);

    [DllImport("libc", EntryPoint = "utimensat", SetLastError = true)]
    private static extern int UtimensAt(int dirfd, byte[] path, long[] times, int flags);

    /// <summary>Creates a directory; false if anything (a link too, dangling or not) is already at the path.</summary>
    public static bool TryCreateDirectory(string path)
    {
        if (MkDir(CString(path), 0x1C0 /* 0700 until its own mode is set, after its contents */) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == EExist) return false;
        throw Failure("mkdir", path, errno);
    }

    /// <summary>Sets the owner of the path itself (a link is not followed).</summary>
    public static void SetOwner(string path, uint owner, uint group)
    {
        if (LChown(CString(path), owner, group) != 0) throw Failure("lchown", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>Sets the modification time of the path itself (a link is not followed); the access time is left alone.</summary>
    public static void SetLastWriteTime(string path, DateTimeOffset time)
    {
        var sinceEpoch = time.UtcTicks - DateTime.UnixEpoch.Ticks;
        var seconds = Math.DivRem(sinceEpoch, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder < 0) { seconds--; remainder += TimeSpan.TicksPerSecond; }
        long[] times = [0, UtimeOmit, seconds, remainder * 100];
        if (UtimensAt(AtFdCwd, CString(path), times, AtSymlinkNoFollow) != 0) throw Failure("utimensat", path, Marshal.GetLastPInvokeError());
    }

    private static byte[] CString(string path) => Encoding.UTF8.GetBytes(path + "\0");

    private static IOException Failure(string call, string path, int errno) =>
        new($"{call} failed for '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}
