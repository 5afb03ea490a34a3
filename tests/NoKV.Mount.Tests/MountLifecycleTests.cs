using System.Diagnostics;

namespace NoKV.Tests;

/// <summary>Mounting and unmounting: every way a mount ends, and the ways it cannot start.</summary>
public sealed class MountLifecycleTests
{
    private static bool IsMounted(string directory) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == directory);

    [FuseFact]
    public async Task An_external_umount_ends_the_mount_and_completes_it()
    {
        await using var t = new MountedStore();
        var mount = await t.MountAsync("/base");
        Assert.True(IsMounted(mount.Directory));
        Assert.False(mount.Completion.IsCompleted);
        Fuse.RunOk("/", "umount", mount.Directory);
        await mount.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(IsMounted(mount.Directory));
        await mount.UnmountAsync(); // already gone: nothing to do, no error
    }

    [FuseFact]
    public async Task Unmount_and_dispose_are_safe_twice_and_the_directory_is_plain_again()
    {
        await using var t = new MountedStore();
        await t.Base.WriteAllBytesAsync("/f", "x"u8.ToArray());
        var mount = await t.MountAsync("/base");
        Assert.True(File.Exists(Path.Combine(mount.Directory, "f")));
        await mount.UnmountAsync();
        await mount.UnmountAsync();
        await mount.DisposeAsync();
        Assert.True(mount.Completion.IsCompletedSuccessfully);
        Assert.False(IsMounted(mount.Directory));
        Assert.Empty(Directory.GetFileSystemEntries(mount.Directory));
    }

    [FuseFact]
    public async Task Unmounting_a_busy_mount_publishes_open_files_detaches_and_completes()
    {
        await using var t = new MountedStore();
        var mount = await t.MountAsync("/base");
        // A process whose working directory is in the mount keeps it busy.
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "60") { WorkingDirectory = mount.Directory })!;
        var stream = new FileStream(Path.Combine(mount.Directory, "open.txt"), FileMode.Create, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        try
        {
            stream.Write("written, never closed"u8);
            await mount.UnmountAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.False(IsMounted(mount.Directory));
            Assert.Equal("written, never closed", System.Text.Encoding.UTF8.GetString(await t.Base.ReadAllBytesAsync("/open.txt")));
        }
        finally
        {
            sleeper.Kill();
            try
            {
                stream.Dispose();
            }
            catch (IOException)
            {
                // The connection was aborted: closing reports it.
            }
        }
    }

    [FuseFact]
    public async Task Mounting_at_a_missing_directory_or_a_missing_workspace_fails_with_a_typed_exception()
    {
        await using var t = new MountedStore();
        var missing = Path.Combine(t.Root, "no-such-dir");
        var e = await Assert.ThrowsAsync<MountFailedException>(() => t.Store.MountAsync("/base", missing));
        Assert.Equal(NoKVErrorKind.NotFound, e.ErrorKind);
        Assert.Contains("does not exist", e.Message);
        await Assert.ThrowsAsync<WorkspaceNotFoundException>(() => t.Store.MountAsync("/nope", t.Root));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => t.Store.MountAsync("/base", t.Root, new MountOptions { EntryTimeout = TimeSpan.FromSeconds(-1) }));
    }

    [FuseFact]
    public async Task A_hundred_forks_mounted_at_once_each_see_and_keep_only_their_own_writes()
    {
        await using var t = new MountedStore();
        await t.Base.WriteAllBytesAsync("/shared.txt", "base"u8.ToArray());
        var pin = t.Base.Snapshot();
        var mounts = new List<WorkspaceMount>();
        for (var i = 0; i < 100; i++)
        {
            t.Store.Clone(pin, $"/forks/f{i}");
            mounts.Add(await t.MountAsync($"/forks/f{i}"));
        }
        await Task.WhenAll(mounts.Select((m, i) => Task.Run(() =>
        {
            Assert.Equal("base", File.ReadAllText(Path.Combine(m.Directory, "shared.txt")));
            File.WriteAllText(Path.Combine(m.Directory, "mine.txt"), $"fork {i}");
            File.AppendAllText(Path.Combine(m.Directory, "shared.txt"), $"+{i}");
        })));
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal($"fork {i}", File.ReadAllText(Path.Combine(mounts[i].Directory, "mine.txt")));
            Assert.Equal($"base+{i}", File.ReadAllText(Path.Combine(mounts[i].Directory, "shared.txt")));
        }
        await Task.WhenAll(mounts.Select(m => m.UnmountAsync()));
        for (var i = 0; i < 100; i++)
        {
            var delta = t.Store.Diff(pin, $"/forks/f{i}").Select(d => $"{d.Kind} {d.Path}").Order(StringComparer.Ordinal);
            Assert.Equal(["Added /mine.txt", "Modified /shared.txt"], delta);
        }
        Assert.Equal("base", System.Text.Encoding.UTF8.GetString(await t.Base.ReadAllBytesAsync("/shared.txt")));
    }
}
