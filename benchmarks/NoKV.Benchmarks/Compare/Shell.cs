using System.Diagnostics;

namespace NoKV.Benchmarks.Compare;

/// <summary>Runs a real command and returns its standard output; a failure throws with its stderr.</summary>
internal static class Shell
{
    public static string Run(string directory, string file, params string[] args) => Run(directory, file, args, okExitCodes: [0]);

    public static string Run(string directory, string file, string[] args, int[] okExitCodes)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (!okExitCodes.Contains(process.ExitCode))
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.GetAwaiter().GetResult()}");
        return stdout.GetAwaiter().GetResult();
    }

    /// <summary>Disk space used (allocated blocks, not apparent size), in bytes, by some paths.</summary>
    public static long DiskUsage(IEnumerable<string> paths)
    {
        var existing = paths.Where(p => Directory.Exists(p) || File.Exists(p)).ToArray();
        if (existing.Length == 0) return 0;
        var output = Run("/", "du", ["-sk", "--total", .. existing], [0]);
        var total = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Split('\t')[0];
        return long.Parse(total, System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
