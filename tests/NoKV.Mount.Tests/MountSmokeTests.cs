namespace NoKV.Tests;

/// <summary>Mounting, reading a tree through the kernel, and unmounting.</summary>
public sealed class MountSmokeTests
{
    [FuseFact]
    public async Task A_mounted_workspace_lists_and_reads_through_the_kernel()
    {
        await using var t = new MountedStore();
        t.Base.CreateDirectory("/src/lib");
        await t.Base.WriteAllBytesAsync("/src/lib/a.txt", "hello"u8.ToArray());
        await t.Base.WriteAllBytesAsync("/README", "readme"u8.ToArray());
        var mount = await t.MountAsync("/base");

        Assert.Equal("hello", File.ReadAllText(Path.Combine(mount.Directory, "src/lib/a.txt")));
        var listing = Fuse.RunOk(mount.Directory, "ls", "-la");
        Assert.Contains("README", listing);
        Assert.Contains("src", listing);
        await mount.UnmountAsync();
        Assert.True(mount.Completion.IsCompleted);
    }
}
