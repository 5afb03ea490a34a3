namespace NoKV.Tests.TreeMetadata;

/// <summary>Permission bits, owners and times: defaults, setters, and how every write path keeps or moves them.</summary>
public sealed class ModeOwnerTimeTests : IDisposable
{
    private static readonly UnixFileMode Mode644 = (UnixFileMode)0x1A4;
    private static readonly UnixFileMode Mode755 = (UnixFileMode)0x1ED;

    private readonly TempStore _temp = new();
    private readonly Workspace _ws;

    public ModeOwnerTimeTests() => _ws = _temp.Store.CreateWorkspace("/ws");

    public void Dispose() => _temp.Dispose();

    private static readonly DateTimeOffset Old = new(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);

    [Fact]
    public async Task New_nodes_get_posix_defaults_owned_by_this_process()
    {
        var before = DateTimeOffset.UtcNow;
        _ws.CreateDirectory("/d");
        await _ws.Write("/d/f", "x");
        var after = DateTimeOffset.UtcNow;

        var (uid, gid) = CurrentIds();
        foreach (var (path, mode) in new[] { ("/d", Mode755), ("/d/f", Mode644), ("/", Mode755) })
        {
            var node = _ws.Stat(path);
            Assert.Equal(mode, node.Mode);
            Assert.Equal(uid, node.OwnerId);
            Assert.Equal(gid, node.GroupId);
            Assert.Null(node.LinkTarget);
        }
        var file = _ws.Stat("/d/f");
        Assert.InRange(file.LastWriteTime, before, after);
        Assert.Equal(file.LastWriteTime, file.ChangeTime);
        Assert.Equal(TimeSpan.Zero, file.LastWriteTime.Offset);
    }

    [Fact]
    public async Task Chmod_sets_every_bit_moves_ctime_and_keeps_mtime()
    {
        await _ws.Write("/f", "x");
        _ws.SetLastWriteTime("/f", Old);
        var before = _ws.Stat("/f");

        var all = (UnixFileMode)0xFFF; // 07777: setuid, setgid, sticky and rwx for all
        var after = _ws.SetUnixFileMode("/f", all);

        Assert.Equal(all, after.Mode);
        Assert.Equal(Old, after.LastWriteTime);
        Assert.True(after.ChangeTime >= before.ChangeTime);
        Assert.Equal(after, _ws.Stat("/f"));
        Assert.Equal(all, _temp.Reopen().OpenWorkspace("/ws").Stat("/f").Mode);
    }

    [Fact]
    public void Chmod_of_a_link_or_with_bits_beyond_07777_is_refused_and_changes_nothing()
    {
        _ws.CreateSymbolicLink("/l", "x");
        _ws.CreateDirectory("/d");
        var snap = _ws.Snapshot();

        var e = Assert.Throws<OperationNotSupportedException>(() => _ws.SetUnixFileMode("/l", Mode644));
        Assert.Equal(NoKVErrorKind.Unsupported, e.ErrorKind);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ws.SetUnixFileMode("/d", (UnixFileMode)0x1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ws.SetUnixFileMode("/d", (UnixFileMode)(-1)));
        Assert.Throws<PathNotFoundException>(() => _ws.SetUnixFileMode("/missing", Mode644));

        Assert.Equal((UnixFileMode)0x1FF, _ws.Stat("/l").Mode);
        Assert.Equal(Mode755, _ws.Stat("/d").Mode);
        Assert.Equal(snap.Stat("/d").ChangeTime, _ws.Stat("/d").ChangeTime);
    }

    [Fact]
    public void Chown_sets_ids_of_files_directories_and_links_themselves()
    {
        _ws.CreateDirectory("/d");
        _ws.CreateSymbolicLink("/l", "d");
        foreach (var path in new[] { "/d", "/l", "/" })
        {
            var node = _ws.SetOwner(path, 4294967294, 0);
            Assert.Equal(4294967294, node.OwnerId);
            Assert.Equal(0, node.GroupId);
        }
        Assert.Equal(4294967294, _temp.Reopen().OpenWorkspace("/ws").Stat("/l").OwnerId);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, -1)]
    [InlineData(4294967295, 0)]
    [InlineData(0, 1L << 40)]
    public void Chown_with_an_id_outside_uid_t_is_refused(long uid, long gid)
    {
        _ws.CreateDirectory("/d");
        var before = _ws.Stat("/d");
        Assert.Throws<ArgumentOutOfRangeException>(() => _ws.SetOwner("/d", uid, gid));
        Assert.Equal(before, _ws.Stat("/d"));
    }

    [Fact]
    public async Task SetLastWriteTime_keeps_100ns_ticks_exactly_and_moves_ctime()
    {
        await _ws.Write("/f", "x");
        var exact = new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.FromHours(5)).AddTicks(1234567);
        var node = _ws.SetLastWriteTime("/f", exact);
        Assert.Equal(exact, node.LastWriteTime);
        Assert.Equal(exact.UtcTicks, node.LastWriteTime.UtcTicks);
        Assert.True(node.ChangeTime > exact);
        Assert.Equal(exact.UtcTicks, _temp.Reopen().OpenWorkspace("/ws").Stat("/f").LastWriteTime.UtcTicks);
    }

    [Fact]
    public async Task Every_content_write_keeps_mode_and_owner_and_moves_both_times()
    {
        await _ws.Write("/f", "0123456789");
        _ws.SetUnixFileMode("/f", (UnixFileMode)0x1C0); // 0700
        _ws.SetOwner("/f", 1234, 5678);
        async Task Check(string what, Func<Task> write)
        {
            _ws.SetLastWriteTime("/f", Old);
            var before = DateTimeOffset.UtcNow;
            await write();
            var node = _ws.Stat("/f");
            Assert.True(node.LastWriteTime >= before, what);
            Assert.True(node.ChangeTime >= before, what);
            Assert.Equal((UnixFileMode)0x1C0, node.Mode);
            Assert.Equal(1234, node.OwnerId);
            Assert.Equal(5678, node.GroupId);
        }

        await Check("rewrite", () => _ws.Write("/f", "new"));
        await Check("append", async () => { await using var s = await _ws.OpenAppendAsync("/f"); await s.WriteAsync(TestData.Text("more")); });
        await Check("truncate", () => _ws.TruncateAsync("/f", 2));
        await Check("stream", async () => { await using var s = _ws.OpenWrite("/f"); await s.WriteAsync(TestData.Text("s")); });
    }

    [Fact]
    public async Task Rename_keeps_mtime_and_moves_ctime()
    {
        await _ws.Write("/f", "x");
        _ws.SetLastWriteTime("/f", Old);
        var before = _ws.Stat("/f").ChangeTime;
        _ws.Move("/f", "/g");
        var moved = _ws.Stat("/g");
        Assert.Equal(Old, moved.LastWriteTime);
        Assert.True(moved.ChangeTime >= before);
    }

    [Fact]
    public async Task A_directory_mtime_moves_when_its_entries_change_and_not_when_a_file_in_it_is_rewritten()
    {
        _ws.CreateDirectory("/d");
        _ws.CreateDirectory("/e");
        await _ws.Write("/d/f", "x");

        void Reset() { _ws.SetLastWriteTime("/d", Old); _ws.SetLastWriteTime("/e", Old); }
        async Task Expect(string what, Func<Task> change, bool d, bool e)
        {
            Reset();
            await change();
            Assert.True((_ws.Stat("/d").LastWriteTime != Old) == d, what + " /d");
            Assert.True((_ws.Stat("/e").LastWriteTime != Old) == e, what + " /e");
        }

        await Expect("rewrite", () => _ws.Write("/d/f", "y"), d: false, e: false);
        await Expect("create", () => _ws.Write("/d/g", "y"), d: true, e: false);
        await Expect("mkdir", () => { _ws.CreateDirectory("/d/sub"); return Task.CompletedTask; }, d: true, e: false);
        await Expect("symlink", () => { _ws.CreateSymbolicLink("/d/l", "x"); return Task.CompletedTask; }, d: true, e: false);
        await Expect("delete", () => { _ws.Delete("/d/g"); return Task.CompletedTask; }, d: true, e: false);
        await Expect("move across", () => { _ws.Move("/d/f", "/e/f"); return Task.CompletedTask; }, d: true, e: true);
        await Expect("chmod inside", () => { _ws.SetUnixFileMode("/e/f", Mode644); return Task.CompletedTask; }, d: false, e: false);
    }

    [Fact]
    public async Task Snapshots_and_clones_keep_attributes_as_they_were()
    {
        await _ws.Write("/f", "x");
        _ws.SetUnixFileMode("/f", Mode755);
        _ws.SetOwner("/f", 7, 8);
        _ws.SetLastWriteTime("/f", Old);
        var snap = _ws.Snapshot();
        var fork = _temp.Store.Clone("/ws", "/fork").Workspace;

        _ws.SetUnixFileMode("/f", Mode644);
        _ws.SetOwner("/f", 1, 1);

        foreach (var node in new[] { snap.Stat("/f"), fork.Stat("/f") })
        {
            Assert.Equal(Mode755, node.Mode);
            Assert.Equal(7, node.OwnerId);
            Assert.Equal(8, node.GroupId);
            Assert.Equal(Old, node.LastWriteTime);
        }
    }

    /// <summary>This process's effective uid and gid, as `id` reports them.</summary>
    internal static (long Uid, long Gid) CurrentIds()
    {
        if (OperatingSystem.IsWindows()) return (0, 0);
        static long Id(string flag)
        {
            using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("id", flag) { RedirectStandardOutput = true })!;
            var text = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return long.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        }
        return (Id("-u"), Id("-g"));
    }
}
