using System.Reflection;
using System.Runtime.InteropServices;
using LightningDB;

namespace NoKV.Lmdb;

/// <summary>
/// Points LightningDB's "lmdb" P/Invokes at the libnokv_lmdb.so this package ships on linux-x64.
/// LightningDB 0.23.1's own liblmdb.so needs GLIBC_2.38 and fails to load on Debian 12 and
/// Ubuntu 22.04; ours is LMDB 1.0.1 from the same sources, built against GLIBC_2.34, so the file
/// format is the one LightningDB expects. Elsewhere (or if ours is absent) LightningDB's default
/// probing is left alone.
/// </summary>
internal static class NativeLmdbLoader
{
    private const string ShippedName = "libnokv_lmdb.so";
    private static int _installed;

    public static void EnsureInstalled()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(LightningEnvironment).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // The host installed its own resolver for LightningDB; it decides where LMDB comes from.
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != "lmdb") return IntPtr.Zero;
        foreach (var candidate in CandidatePaths())
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        }
        // NuGet consumers: the host knows the runtimes/linux-x64/native folder from deps.json.
        return NativeLibrary.TryLoad(ShippedName, typeof(NativeLmdbLoader).Assembly, searchPath, out var probed) ? probed : IntPtr.Zero;
    }

    private static IEnumerable<string> CandidatePaths()
    {
        var dirs = new List<string> { AppContext.BaseDirectory };
        var location = typeof(NativeLmdbLoader).Assembly.Location;
        if (!string.IsNullOrEmpty(location)) dirs.Insert(0, Path.GetDirectoryName(location)!);
        foreach (var dir in dirs.Distinct())
        {
            yield return Path.Combine(dir, "runtimes", "linux-x64", "native", ShippedName);
            yield return Path.Combine(dir, ShippedName);
        }
    }
}
