namespace NoKV.Mount.Session;

/// <summary>
/// The kernel's FUSE control file system (/sys/fs/fuse/connections): aborting a connection ends
/// every pending and future request on it, which is how a detached (lazily unmounted) mount with
/// files still open is made to let go.
/// </summary>
internal static class FuseConnections
{
    private const string Root = "/sys/fs/fuse/connections";

    /// <summary>Aborts the FUSE connection behind the mount at <paramref name="directory"/>; best effort.</summary>
    public static void Abort(string directory, string? device = null)
    {
        try
        {
            device ??= DeviceOf(directory);
            if (device is null) return;
            var minor = device.Split(':')[1];
            if (!File.Exists(Path.Combine(Root, minor, "abort")))
            {
                // fusectl is not mounted on some systems; as root we can mount it.
                Interop.Libc.Mount("fusectl", Root, "fusectl", 0, "");
            }
            File.WriteAllText(Path.Combine(Root, minor, "abort"), "1");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The "major:minor" device of the fuse.nokv mount at <paramref name="directory"/>, from /proc/self/mountinfo.</summary>
    public static string? DeviceOf(string directory)
    {
        var escaped = directory.Replace("\\", "\\134", StringComparison.Ordinal).Replace(" ", "\\040", StringComparison.Ordinal)
            .Replace("\t", "\\011", StringComparison.Ordinal).Replace("\n", "\\012", StringComparison.Ordinal);
        string? found = null;
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && fields[4] == escaped && line.Contains(" - fuse.nokv ", StringComparison.Ordinal)) found = fields[2];
        }
        return found;
    }
}
