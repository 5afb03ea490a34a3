using System.Text;

namespace NoKV.Tests;

/// <summary>The write side through the kernel: buffering, publishing, offsets, truncation, unlink, open flags.</summary>
public sealed class MountedWriteTests
{
    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    [FuseFact]
    public async Task Many_writes_publish_one_version_at_fsync_and_at_close_not_one_per_write()
    {
        await using var t = new MountedStore();
        await t.Base.WriteAllBytesAsync("/f", "old"u8.ToArray());
        var before = t.Base.Stat("/f");
        var mount = await t.MountAsync("/base");
        var path = Path.Combine(mount.Directory, "f");
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0))
        {
            for (var i = 0; i < 50; i++) stream.Write(new byte[1024]); // 50 write(2) calls
            // Nothing is published yet: the store still shows the old version.
            Assert.Equal(before.Generation, t.Base.Stat("/f").Generation);
            Assert.Equal(3, t.Base.Stat("/f").Length);
            stream.Flush(flushToDisk: true); // fsync
            var synced = t.Base.Stat("/f");
            Assert.NotEqual(before.Generation, synced.Generation);
            Assert.Equal(50 * 1024, synced.Length);
            stream.Write("tail"u8);
            Assert.Equal(synced.Generation, t.Base.Stat("/f").Generation);
        }
        var closed = t.Base.Stat("/f");
        Assert.Equal(50 * 1024 + 4, closed.Length);
        Assert.Equal(before.Inode, closed.Inode);
        Assert.EndsWith("tail", Text(await t.Base.ReadAllBytesAsync("/f")));
    }

    [FuseFact]
    public async Task Random_writes_and_truncates_at_any_offset_read_back_as_a_model_says_through_the_mount_and_the_store()
    {
        // Chunks of 4 KiB so the writes cross chunk boundaries, gaps and cuts.
        await using var t = new MountedStore(chunkSize: 4096);
        var initial = new byte[10_000];
        new Random(7).NextBytes(initial);
        await t.Base.WriteAllBytesAsync("/f", initial);
        var mount = await t.MountAsync("/base");
        var path = Path.Combine(mount.Directory, "f");
        for (var seed = 0; seed < 4; seed++)
        {
            var random = new Random(seed);
            var model = new List<byte>(await t.Base.ReadAllBytesAsync("/f"));
            using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
            {
                for (var step = 0; step < 40; step++)
                {
                    if (random.Next(5) == 0)
                    {
                        var length = random.Next(0, 30_000);
                        RandomAccess.SetLength(handle, length);
                        if (length < model.Count) model.RemoveRange(length, model.Count - length);
                        else model.AddRange(new byte[length - model.Count]);
                    }
                    else
                    {
                        var offset = random.Next(0, 30_000);
                        var data = new byte[random.Next(1, 9000)];
                        random.NextBytes(data);
                        RandomAccess.Write(handle, data, offset);
                        if (offset > model.Count) model.AddRange(new byte[offset - model.Count]);
                        for (var i = 0; i < data.Length; i++)
                        {
                            if (offset + i < model.Count) model[offset + i] = data[i];
                            else model.Add(data[i]);
                        }
                    }
                    // Reads through the mount see the buffered bytes at once.
                    var read = new byte[model.Count + 100];
                    var n = RandomAccess.Read(handle, read, 0);
                    Assert.Equal(model.ToArray(), read[..n]);
                }
            }
            Assert.Equal(model.ToArray(), await t.Base.ReadAllBytesAsync("/f"));
        }
        Assert.True(t.Store.Verify().IsHealthy);
    }

    [FuseFact]
    public async Task An_open_unlinked_file_stays_readable_and_writable_until_closed()
    {
        await using var t = new MountedStore();
        await t.Base.WriteAllBytesAsync("/f", "keep me"u8.ToArray());
        var mount = await t.MountAsync("/base");
        var path = Path.Combine(mount.Directory, "f");
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0))
        {
            File.Delete(path);
            Assert.False(File.Exists(path));
            Assert.False(t.Base.Exists("/f"));
            stream.Seek(0, SeekOrigin.End);
            stream.Write(" and this"u8);
            stream.Seek(0, SeekOrigin.Begin);
            var buffer = new byte[100];
            var n = stream.Read(buffer);
            Assert.Equal("keep me and this", Text(buffer[..n]));
            Assert.Equal(16, stream.Length); // fstat
        }
        Assert.False(t.Base.Exists("/f"));
        Assert.Empty(Directory.GetFileSystemEntries(mount.Directory));
    }

    [FuseFact]
    public async Task Open_flags_excl_trunc_and_append_behave_as_on_a_local_disk()
    {
        await using var t = new MountedStore();
        await t.Base.WriteAllBytesAsync("/f", "0123456789"u8.ToArray());
        var mount = await t.MountAsync("/base");
        var path = Path.Combine(mount.Directory, "f");

        var excl = Assert.ThrowsAny<IOException>(() => new FileStream(path, FileMode.CreateNew));
        Assert.Contains("exists", excl.Message, StringComparison.OrdinalIgnoreCase);
        using (var created = new FileStream(Path.Combine(mount.Directory, "g"), FileMode.CreateNew)) created.Write("new"u8);
        Assert.Equal("new", Text(await t.Base.ReadAllBytesAsync("/g")));

        using (var append = new FileStream(path, FileMode.Append)) append.Write("ab"u8);
        using (var append = new FileStream(path, FileMode.Append)) append.Write("cd"u8);
        Assert.Equal("0123456789abcd", Text(await t.Base.ReadAllBytesAsync("/f")));

        using (var truncated = new FileStream(path, FileMode.Truncate)) truncated.Write("x"u8);
        Assert.Equal("x", Text(await t.Base.ReadAllBytesAsync("/f")));

        // Two processes appending to one file: no line lost or torn.
        var script = "for i in $(seq 1 100); do echo line-$1-$i >> log.txt; done";
        var a = Task.Run(() => Fuse.RunOk(mount.Directory, "sh", "-c", script, "sh", "a"));
        var b = Task.Run(() => Fuse.RunOk(mount.Directory, "sh", "-c", script, "sh", "b"));
        await Task.WhenAll(a, b);
        var lines = File.ReadAllLines(Path.Combine(mount.Directory, "log.txt"));
        Assert.Equal(200, lines.Length);
        Assert.Equal(200, lines.Distinct().Count());
        Assert.All(lines, l => Assert.Matches("^line-[ab]-[0-9]+$", l));
    }

    [FuseFact]
    public async Task Chmod_chown_touch_and_truncate_land_in_the_workspace()
    {
        await using var t = new MountedStore();
        await t.Base.WriteAllBytesAsync("/f", "0123456789"u8.ToArray());
        var mount = await t.MountAsync("/base");
        var dir = mount.Directory;
        Fuse.RunOk(dir, "chmod", "0751", "f");
        Fuse.RunOk(dir, "chown", "1234:5678", "f");
        Fuse.RunOk(dir, "touch", "-m", "-d", "2001-02-03T04:05:06Z", "f");
        Fuse.RunOk(dir, "truncate", "-s", "4", "f");
        Fuse.RunOk(dir, "touch", "-m", "-d", "2001-02-03T04:05:06Z", "f");
        var node = t.Base.Stat("/f");
        Assert.Equal((UnixFileMode)Convert.ToInt32("751", 8), node.Mode);
        Assert.Equal(1234u, node.OwnerId);
        Assert.Equal(5678u, node.GroupId);
        Assert.Equal(new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero), node.LastWriteTime);
        Assert.Equal(4, node.Length);
        Assert.Equal("0123", Text(await t.Base.ReadAllBytesAsync("/f")));
        // What stat(1) shows through the kernel is the same, with NoKV's inode number.
        var shown = Fuse.RunOk(dir, "stat", "-c", "%a %u %g %s %i %Y", "f").Trim();
        Assert.Equal($"751 1234 5678 4 {node.Inode} {new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero).ToUnixTimeSeconds()}", shown);
    }

    [FuseFact]
    public async Task A_file_created_through_the_mount_gets_the_callers_mode_and_owner()
    {
        await using var t = new MountedStore();
        var mount = await t.MountAsync("/base");
        Fuse.RunOk(mount.Directory, "sh", "-c", "umask 027 && mkdir d && echo hi > d/f && ln -s d/f l");
        Assert.Equal((UnixFileMode)Convert.ToInt32("750", 8), t.Base.Stat("/d").Mode);
        Assert.Equal((UnixFileMode)Convert.ToInt32("640", 8), t.Base.Stat("/d/f").Mode);
        Assert.Equal(0u, t.Base.Stat("/d/f").OwnerId);
        Assert.Equal("d/f", t.Base.Stat("/l").LinkTarget);
    }

    [FuseFact]
    public async Task Shell_redirection_over_an_existing_longer_file_truncates_it()
    {
        await using var t = new MountedStore();
        await t.Base.WriteAllBytesAsync("/f", "a much longer old content"u8.ToArray());
        var mount = await t.MountAsync("/base");
        Assert.True(File.Exists(Path.Combine(mount.Directory, "f"))); // the kernel knows the name: the shell's open is OPEN, not CREATE
        Fuse.RunOk(mount.Directory, "sh", "-c", "printf abc > f");
        Assert.Equal("abc", File.ReadAllText(Path.Combine(mount.Directory, "f")));
        Assert.Equal("abc", Text(await t.Base.ReadAllBytesAsync("/f")));
    }

    [FuseFact]
    public async Task A_version_published_beside_the_mount_while_a_file_is_open_is_built_on_not_undone()
    {
        await using var t = new MountedStore(chunkSize: 4096);
        await t.Base.WriteAllBytesAsync("/f", new byte[10_000]);
        var mount = await t.MountAsync("/base");
        using (var stream = new FileStream(Path.Combine(mount.Directory, "f"), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0))
        {
            stream.Write("mount"u8);
            // Another writer (the library API) appends while the mount holds unpublished bytes.
            await using (var append = await t.Base.OpenAppendAsync("/f")) await append.WriteAsync("+api"u8.ToArray());
        }
        var bytes = await t.Base.ReadAllBytesAsync("/f");
        Assert.Equal(10_004, bytes.Length);
        Assert.Equal("mount", Text(bytes[..5]));
        Assert.Equal("+api", Text(bytes[^4..]));
    }

    [FuseFact]
    public async Task A_large_sequential_write_is_published_in_bounded_pieces_and_reads_back_whole()
    {
        await using var t = new MountedStore(chunkSize: 1 << 20);
        var mount = await t.MountAsync("/base");
        var path = Path.Combine(mount.Directory, "big");
        var data = new byte[150 << 20]; // past the 64 MiB a file buffers before publishing what it has
        new Random(5).NextBytes(data);
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0))
        {
            for (var offset = 0; offset < data.Length; offset += 1 << 20) stream.Write(data, offset, 1 << 20);
            // Some of it is already in the store before close: memory stays bounded.
            Assert.InRange(t.Base.Stat("/big").Length, 64 << 20, data.Length);
        }
        Assert.Equal(data.Length, t.Base.Stat("/big").Length);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(data), System.Security.Cryptography.SHA256.HashData(await t.Base.ReadAllBytesAsync("/big")));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(data), System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        Assert.True(t.Store.Verify().IsHealthy);
    }
}
