using System.Diagnostics;
using NoKV;

/// <summary>
/// Mounts forks as real directories and runs real commands in them (`sh`, `python3`): what an
/// agent that uses shell tools does. Says so and does nothing where mounting is not possible.
/// </summary>
internal static class MountedAgents
{
    public static async Task<string> RunAsync(WorkspaceStore store, int forks)
    {
        if (WhyNot() is { } reason) return $"mount: skipped ({reason}); the forks were written through the API only";
        var root = Path.Combine(Path.GetTempPath(), "nokv-agentforks-mnt-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            for (var i = 0; i < forks; i++)
            {
                var directory = Directory.CreateDirectory(Path.Combine(root, $"agent-{i}")).FullName;
                await using var mount = await store.MountAsync($"/forks/agent-{i}", directory);
                // A shell lists the tree; a Python script (an agent's tool) writes its report into the fork.
                var files = Run(directory, "sh", "-c", "find . -type f | wc -l").Trim();
                Run(directory, "python3", "-c", $"open('agent-report.txt', 'w').write('agent {i} saw {files} files\\n')");
            }
            return $"mounted {forks} forks as real directories; sh and python3 ran in each (each fork gained /agent-report.txt)";
        }
        catch (MountFailedException e)
        {
            return $"mount: not possible here ({e.Message}); the forks were written through the API only";
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
        }
    }

    private static string? WhyNot()
    {
        if (!OperatingSystem.IsLinux()) return "FUSE mounts need Linux";
        if (!File.Exists("/dev/fuse")) return "no /dev/fuse";
        if (Environment.UserName != "root") return "mounting needs root for now";
        return null;
    }

    private static string Run(string directory, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} exited {process.ExitCode}: {error}");
        return output;
    }
}
