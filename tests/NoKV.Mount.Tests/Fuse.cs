using System.Diagnostics;

namespace NoKV.Tests;

/// <summary>
/// Whether real FUSE mounts can run here: Linux, /dev/fuse, root. Outside CI the mount tests
/// skip, saying why, when they cannot; in CI (CI=true) they run and fail instead (.ci/run must
/// provide fuse3 and run as root).
/// </summary>
public static class Fuse
{
    public static string? SkipReason
    {
        get
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") return null;
            if (!OperatingSystem.IsLinux()) return "FUSE mounts need Linux.";
            if (!File.Exists("/dev/fuse")) return "No /dev/fuse here (load the fuse module, or pass --device /dev/fuse to the container).";
            if (Environment.UserName != "root") return "Mounting needs root for now (mount(2)); run the mount tests as root.";
            return null;
        }
    }

    /// <summary>Runs a program in <paramref name="directory"/>; returns its exit code and output (stdout then stderr).</summary>
    public static (int ExitCode, string Output) Run(string directory, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // Tools that read a home directory's configuration (git) get a fixed, empty one.
        start.Environment["HOME"] = Path.Combine(Path.GetTempPath(), "nokv-mount-home");
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_AUTHOR_NAME"] = start.Environment["GIT_COMMITTER_NAME"] = "NoKV Test";
        start.Environment["GIT_AUTHOR_EMAIL"] = start.Environment["GIT_COMMITTER_EMAIL"] = "test@nokv.invalid";
        Directory.CreateDirectory(start.Environment["HOME"]!);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in 2 minutes.");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Runs a program and asserts it exits 0; returns its output.</summary>
    public static string RunOk(string directory, string program, params string[] arguments)
    {
        var (code, output) = Run(directory, program, arguments);
        Assert.True(code == 0, $"{program} {string.Join(' ', arguments)} exited {code}:\n{output}");
        return output;
    }
}

/// <summary>A fact that needs real FUSE mounts (see <see cref="Fuse.SkipReason"/>).</summary>
public sealed class FuseFactAttribute : FactAttribute
{
    public FuseFactAttribute() => Skip = Fuse.SkipReason;
}
