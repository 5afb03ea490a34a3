using System.Diagnostics;
using NoKV.Tests;

namespace NoKV.Cli.Tests;

/// <summary>
/// nokv mount in the foreground: it says when the directory is usable, files written through the
/// directory land in the workspace, and umount or SIGTERM end it with exit code 0 after
/// publishing and flushing everything.
/// </summary>
public sealed class MountCommandTests : IDisposable
{
    private readonly Nokv _nokv = new();

    public void Dispose() => _nokv.Dispose();

    private string NewMountPoint()
    {
        var directory = Path.Combine(_nokv.Root, "mnt-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Starts nokv mount and waits for its "mounted" line.</summary>
    private Process StartMount(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _nokv.Root };
        start.ArgumentList.Add(Nokv.ToolPathForTests);
        foreach (var arg in new[] { "--store", _nokv.Store, "mount" }.Concat(args)) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        var line = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        Assert.True(line is not null && line.StartsWith("mounted ", StringComparison.Ordinal), $"nokv mount printed '{line}', stderr: {(process.HasExited ? process.StandardError.ReadToEnd() : "")}");
        return process;
    }

    private static void WaitForExit(Process process)
    {
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "nokv mount did not exit after the unmount");
        Assert.True(process.ExitCode == 0, $"nokv mount exited {process.ExitCode}: {process.StandardError.ReadToEnd()}");
    }

    [FuseFact]
    public void Files_written_in_the_mount_land_in_the_workspace_and_umount_ends_it_cleanly()
    {
        _nokv.Ok("init");
        _nokv.Ok("create", "/w");
        var dir = NewMountPoint();
        using var mount = StartMount("/w", dir);
        File.WriteAllText(Path.Combine(dir, "hello.txt"), "hello from the mount\n");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        Fuse.RunOk("/", "umount", dir);
        WaitForExit(mount);
        Assert.Contains("unmounted", mount.StandardOutput.ReadToEnd(), StringComparison.Ordinal);
        Assert.Equal("hello from the mount\n", _nokv.Ok("cat", "/w/hello.txt").Stdout);
        Assert.Equal(["hello.txt", "sub/"], _nokv.Ok("ls", "/w").Lines);
    }

    [FuseFact]
    public void Sigterm_publishes_flushes_unmounts_and_exits_0()
    {
        _nokv.Ok("init");
        _nokv.Ok("create", "/w");
        var dir = NewMountPoint();
        using var mount = StartMount("/w", dir);
        File.WriteAllText(Path.Combine(dir, "f.txt"), "kept\n");
        Fuse.RunOk("/", "kill", "-TERM", mount.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WaitForExit(mount);
        Assert.False(File.Exists(Path.Combine(dir, "f.txt"))); // unmounted: the bare directory again
        Assert.Equal("kept\n", _nokv.Ok("cat", "/w/f.txt").Stdout);
    }

    [FuseFact]
    public void A_snapshot_mounts_read_only()
    {
        _nokv.Ok("init");
        _nokv.Ok("create", "/w");
        _nokv.RunWithInput("pinned\n"u8.ToArray(), "put", "/w/p.txt", "-");
        var id = _nokv.Ok("snapshot", "/w").Stdout.Split("id=")[1].Split(' ')[0];
        var dir = NewMountPoint();
        using var mount = StartMount("@" + id, dir);
        Assert.Equal("pinned\n", File.ReadAllText(Path.Combine(dir, "p.txt")));
        Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(dir, "new.txt"), "x"));
        Fuse.RunOk("/", "umount", dir);
        WaitForExit(mount);
    }
}
