using System.Runtime.InteropServices;
using System.Text;

namespace NoKV.Cli.Tests;

/// <summary>
/// Builds real source trees for import tests with the libc calls .NET lacks: a link's own
/// modification time (utimensat with AT_SYMLINK_NOFOLLOW), a link target that is not UTF-8,
/// and the effective uid/gid. Linux on 64-bit only (the tests that use it skip elsewhere).
/// </summary>
internal static class PosixTree
{
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
    private const long UtimeOmit = (1L << 30) - 2;

    public static bool Usable => OperatingSystem.IsLinux() && IntPtr.Size == 8;

    [DllImport("libc", EntryPoint = "utimensat", SetLastError = true)]
    private static extern int UtimensAt(int dirfd, byte[] path, long[] times, int flags);

    [DllImport("libc", EntryPoint = "symlink", SetLastError = true)]
    private static extern int SymLink(byte[] target, byte[] path);

    [DllImport("libc", EntryPoint = "geteuid")]
    public static extern uint EffectiveUser();

    [DllImport("libc", EntryPoint = "getegid")]
    public static extern uint EffectiveGroup();

    /// <summary>Sets the modification time of the path itself (a link is not followed), to 100 ns.</summary>
    public static void SetLastWriteTime(string path, DateTime utc)
    {
        var sinceEpoch = utc.Ticks - DateTime.UnixEpoch.Ticks;
        var seconds = Math.DivRem(sinceEpoch, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder < 0) { seconds--; remainder += TimeSpan.TicksPerSecond; }
        if (UtimensAt(AtFdCwd, CString(path), [0, UtimeOmit, seconds, remainder * 100], AtSymlinkNoFollow) != 0)
            throw new IOException($"utimensat {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>A link whose target is exactly these bytes (which need not be UTF-8).</summary>
    public static void CreateLink(string path, byte[] target)
    {
        if (SymLink([.. target, 0], CString(path)) != 0) throw new IOException($"symlink {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    private static byte[] CString(string path) => Encoding.UTF8.GetBytes(path + "\0");
}
