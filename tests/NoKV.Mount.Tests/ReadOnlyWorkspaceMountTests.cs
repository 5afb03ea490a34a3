namespace NoKV.Tests;

/// <summary>
/// A read-only workspace (issue 18) mounts read-only: writes fail with EROFS at open, before an
/// application has written anything it would lose at close, and the workspace is unchanged.
/// </summary>
public sealed class ReadOnlyWorkspaceMountTests
{
    [FuseFact]
    public async Task A_read_only_workspace_mounts_read_only_and_refuses_writes_with_erofs()
    {
        await using var t = new MountedStore();
        await t.Base.WriteAllBytesAsync("/f", "kept"u8.ToArray());
        t.Store.SetReadOnly("/base", true);
        var mount = await t.MountAsync("/base");
        Assert.True(mount.IsReadOnly);

        Assert.Equal("kept", await File.ReadAllTextAsync(Path.Combine(mount.Directory, "f")));
        var e = Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(mount.Directory, "f"), "changed"));
        Assert.Contains("Read-only file system", e.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(mount.Directory, "new"), "x"));
        await mount.DisposeAsync();

        Assert.Equal("kept"u8.ToArray(), await t.Base.ReadAllBytesAsync("/f"));
        Assert.False(t.Base.Exists("/new"));
    }
}
