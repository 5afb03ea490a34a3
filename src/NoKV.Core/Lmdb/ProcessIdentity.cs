using System.Runtime.InteropServices;

namespace NoKV.Lmdb;

/// <summary>
/// The effective user and group of this process, which new nodes are owned by (as a POSIX file
/// system gives a new file its creator's). Read once: a process that changes its ids later
/// (setuid) is not followed. 0 on Windows, which has no uid.
/// </summary>
internal static class ProcessIdentity
{
    public static readonly uint User = OperatingSystem.IsWindows() ? 0 : GetEffectiveUser();
    public static readonly uint Group = OperatingSystem.IsWindows() ? 0 : GetEffectiveGroup();

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUser();

    [DllImport("libc", EntryPoint = "getegid")]
    private static extern uint GetEffectiveGroup();
}
