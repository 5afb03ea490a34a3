using System.Security.Cryptography;

namespace NoKV.Tests;

/// <summary>The read side through the kernel: listings, walks, stat, big files and big directories.</summary>
public sealed class MountedReadTests
{
    [FuseFact]
    public async Task Find_ls_cat_and_stat_see_the_tree_with_nokv_inodes()
    {
        await using var t = new MountedStore(chunkSize: 4096);
        t.Base.CreateDirectory("/a/b/c");
        await t.Base.WriteAllBytesAsync("/a/one.txt", "1"u8.ToArray());
        await t.Base.WriteAllBytesAsync("/a/b/two.txt", "22"u8.ToArray());
        await t.Base.WriteAllBytesAsync("/a/b/c/three.txt", "333"u8.ToArray());
        t.Base.CreateSymbolicLink("/a/link", "b/two.txt");
        var big = new byte[1_000_003];
        new Random(3).NextBytes(big);
        await t.Base.WriteAllBytesAsync("/big.bin", big);
        var mount = await t.MountAsync("/base");
        var dir = mount.Directory;

        var found = Fuse.RunOk(dir, "find", ".").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
        Assert.Equal([".", "./a", "./a/b", "./a/b/c", "./a/b/c/three.txt", "./a/b/two.txt", "./a/link", "./a/one.txt", "./big.bin"], found);
        Assert.Equal("333", Fuse.RunOk(dir, "cat", "a/b/c/three.txt"));
        Assert.Equal("22", Fuse.RunOk(dir, "cat", "a/link"));
        Assert.Equal("b/two.txt", Fuse.RunOk(dir, "readlink", "a/link").Trim());
        var listing = Fuse.RunOk(dir, "ls", "-la", "a");
        Assert.Matches(@"(?m)^d.* \.$", listing);
        Assert.Matches(@"(?m)^d.* \.\.$", listing);
        Assert.Matches(@"(?m)^l.* link -> b/two.txt$", listing);
        Assert.Equal($"{t.Base.Stat("/a/b/two.txt").Inode}", Fuse.RunOk(dir, "stat", "-c", "%i", "a/b/two.txt").Trim());
        Assert.Equal($"{t.Base.RootInode}", Fuse.RunOk(dir, "stat", "-c", "%i", ".").Trim());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(big)), Fuse.RunOk(dir, "sha256sum", "big.bin").Split(' ')[0]);
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(dir, "big.bin")));
        // statfs: df reports the disk the store is on.
        Assert.Contains("nokv", Fuse.RunOk(dir, "df", "-T", "."));
        Assert.Equal("255", Fuse.RunOk(dir, "stat", "-f", "-c", "%l", ".").Trim());
    }

    [FuseFact]
    public async Task A_directory_of_thousands_of_entries_lists_each_exactly_once()
    {
        await using var t = new MountedStore();
        t.Base.CreateDirectory("/many");
        for (var i = 0; i < 3000; i++) await t.Base.WriteAllBytesAsync($"/many/file-with-a-longish-name-{i:D5}", new[] { (byte)i });
        var mount = await t.MountAsync("/base");
        var names = Directory.GetFiles(Path.Combine(mount.Directory, "many")).Select(Path.GetFileName).ToList();
        Assert.Equal(3000, names.Count);
        Assert.Equal(3000, names.Distinct().Count());
        Assert.Equal("3000", Fuse.RunOk(mount.Directory, "sh", "-c", "ls many | wc -l").Trim());
    }
}
