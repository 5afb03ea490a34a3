namespace NoKV.Tests;

/// <summary>
/// ftruncate or pwrite far past the end from a hostile client: a length beyond the store's largest
/// file must be refused at once (EFBIG), not start writing the zero gap.
/// </summary>
public sealed class HugeLengthAttackTests
{
    private const long OnePetabyte = 1L << 50;

    [Fact]
    public async Task Truncate_by_inode_to_a_petabyte_is_refused_at_once()
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        await ws.Write("/f", "abc");
        var ino = ws.Stat("/f").Inode;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var e = await Record.ExceptionAsync(() => t.Store.Content.Truncate(ws.Ref, ino, OnePetabyte, cts.Token));
        Assert.True(e is FileTooLargeException { ErrorKind: NoKVErrorKind.TooLarge },
            $"truncate to 1 PiB gave {e?.GetType().Name ?? "success"} (it was still writing the zero gap when cancelled at 1 s)");
        Assert.Equal(3, ws.Stat("/f").Length);
    }

    [Fact]
    public async Task WriteAt_a_petabyte_offset_is_refused_at_once()
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        await ws.Write("/f", "abc");
        var ino = ws.Stat("/f").Inode;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var e = await Record.ExceptionAsync(() => t.Store.Content.WriteAt(ws.Ref, ino, OnePetabyte, new byte[1], cts.Token));
        Assert.True(e is FileTooLargeException { ErrorKind: NoKVErrorKind.TooLarge },
            $"WriteAt at 1 PiB gave {e?.GetType().Name ?? "success"} (it was still writing the zero gap when cancelled at 1 s)");
        Assert.Equal(3, ws.Stat("/f").Length);
    }
}
