using System.Diagnostics;

namespace NoKV.Cli.Tests;

/// <summary>Reads a real tree the way lstat sees it (links not followed), with the real find and diff.</summary>
internal static class RealTree
{
    /// <summary>
    /// One line per path under <paramref name="root"/> (the root itself as "."): relative path,
    /// type letter, octal mode with setuid/setgid/sticky, uid, gid, mtime to the second, link target.
    /// find never follows links (-P), so every field is the link's own.
    /// </summary>
    public static SortedSet<string> Listing(string root)
    {
        var output = Run("find", "-P", root, "-printf", "%P\t%y\t%m\t%U\t%G\t%T@\t%l\n").Stdout;
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var f = line.Split('\t');
            var seconds = f[5].Split('.')[0];
            return string.Join('\t', f[0].Length == 0 ? "." : f[0], f[1], f[2], f[3], f[4], seconds, f[6]);
        });
        return new SortedSet<string>(lines, StringComparer.Ordinal);
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr);
    }
}
