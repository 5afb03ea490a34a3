namespace NoKV.Tests;

/// <summary>What a tool sees when NoKV refuses: the errno a local file system would give.</summary>
public sealed class MountedErrorTests
{
    /// <summary>Runs python3 code in the directory; returns what it printed.</summary>
    private static string Python(string directory, string code) => Fuse.RunOk(directory, "python3", "-c", code).Trim();

    private const string Errno = "import os, errno, ctypes\ndef e(f):\n    try:\n        f(); return 'ok'\n    except OSError as x: return errno.errorcode[x.errno]\n";

    [FuseFact]
    public async Task Namespace_errors_map_to_the_right_errno()
    {
        await using var t = new MountedStore();
        t.Base.CreateDirectory("/d/sub");
        await t.Base.WriteAllBytesAsync("/f", "x"u8.ToArray());
        await t.Base.WriteAllBytesAsync("/g", "y"u8.ToArray());
        var mount = await t.MountAsync("/base");
        var code = Errno + """
libc = ctypes.CDLL(None, use_errno=True)
def renameat2(a, b, flags):
    if libc.renameat2(-100, a.encode(), -100, b.encode(), flags) != 0:
        raise OSError(ctypes.get_errno(), 'renameat2')
print(' '.join([
  e(lambda: os.stat('missing')),
  e(lambda: os.mkdir('d')),
  e(lambda: os.rmdir('d')),
  e(lambda: os.rmdir('f')),
  e(lambda: os.unlink('d')),
  e(lambda: os.open('f/x', os.O_RDONLY)),
  e(lambda: os.rename('d', 'd/sub/inside')),
  e(lambda: os.rename('f', 'd/sub')),
  e(lambda: renameat2('f', 'g', 1)),
  e(lambda: renameat2('f', 'g', 2)),
  e(lambda: os.link('f', 'hard')),
  e(lambda: os.open('f', os.O_RDONLY | os.O_DIRECT)),
  e(lambda: os.mkfifo('fifo')),
  e(lambda: os.open('n' * 256, os.O_CREAT | os.O_WRONLY)),
]))
""";
        Assert.Equal("ENOENT EEXIST ENOTEMPTY ENOTDIR EISDIR ENOTDIR EINVAL EISDIR EEXIST EINVAL EPERM EINVAL EPERM ENAMETOOLONG", Python(mount.Directory, code));
        // Nothing was changed by the refused calls.
        Assert.Equal("x", System.Text.Encoding.UTF8.GetString(await t.Base.ReadAllBytesAsync("/f")));
        Assert.True(t.Base.Exists("/d/sub"));
    }

    [FuseFact]
    public async Task A_snapshot_and_a_read_only_mount_refuse_changes_with_erofs()
    {
        await using var t = new MountedStore();
        await t.Base.WriteAllBytesAsync("/f", "x"u8.ToArray());
        var pin = t.Base.Snapshot();
        var snapshot = await t.MountAsync(pin);
        var readOnly = await t.MountAsync("/base", new MountOptions { ReadOnly = true });
        Assert.True(snapshot.IsReadOnly);
        Assert.True(readOnly.IsReadOnly);
        foreach (var mount in new[] { snapshot, readOnly })
        {
            Assert.Equal("x", File.ReadAllText(Path.Combine(mount.Directory, "f")));
            var code = Errno + "print(' '.join([e(lambda: open('f', 'w')), e(lambda: os.mkdir('d')), e(lambda: os.unlink('f')), e(lambda: os.chmod('f', 0o600))]))";
            Assert.Equal("EROFS EROFS EROFS EROFS", Python(mount.Directory, code));
        }
    }

    [FuseFact]
    public async Task A_write_past_the_largest_file_size_is_efbig()
    {
        await using var t = new MountedStore(maxFileSize: 1 << 20);
        var mount = await t.MountAsync("/base");
        var code = Errno + "fd = os.open('f', os.O_CREAT | os.O_WRONLY)\nprint(e(lambda: os.pwrite(fd, b'x', 2 << 20)), e(lambda: os.ftruncate(fd, 2 << 20)))";
        Assert.Equal("EFBIG EFBIG", Python(mount.Directory, code));
    }

    [FuseFact]
    public async Task A_corrupted_block_reads_as_eio_never_as_wrong_bytes()
    {
        var log = new RecordingLoggerFactory();
        await using var t = new MountedStore(chunkSize: 4096, loggerFactory: log);
        var data = new byte[3 * 4096];
        new Random(1).NextBytes(data);
        await t.Base.WriteAllBytesAsync("/f", data);
        var block = Directory.EnumerateFiles(Path.Combine(t.Store.Directory, "blocks"), "*", SearchOption.AllDirectories)
            .Where(f => new FileInfo(f).Length == 4096).OrderBy(f => f, StringComparer.Ordinal).First();
        var bytes = File.ReadAllBytes(block);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(block, bytes);
        var mount = await t.MountAsync("/base");
        var (code, output) = Fuse.Run(mount.Directory, "cat", "f");
        Assert.NotEqual(0, code);
        Assert.Contains("Input/output error", output);
        Assert.Contains(log.Entries, e => e.EventId == 9006 && e.Message.Contains("damaged or missing", StringComparison.Ordinal));
    }

    [FuseFact]
    public async Task Requests_the_mount_does_not_implement_fail_cleanly_and_it_keeps_serving()
    {
        await using var t = new MountedStore();
        await t.Base.WriteAllBytesAsync("/f", "x"u8.ToArray());
        var mount = await t.MountAsync("/base");
        var (code, _) = Fuse.Run(mount.Directory, "fallocate", "-l", "1M", "f"); // FUSE_FALLOCATE: ENOSYS
        Assert.NotEqual(0, code);
        Assert.Equal("x", File.ReadAllText(Path.Combine(mount.Directory, "f")));
    }
}
