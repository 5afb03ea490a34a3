namespace NoKV.Tests;

/// <summary>attack5: attribute and link-target values at the edges, round-tripped through reopen.</summary>
public sealed class AttributeEdgeValueAttackTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly Workspace _ws;
    private WorkspaceStore Store => _temp.Store;

    public AttributeEdgeValueAttackTests()
    {
        _ws = Store.CreateWorkspace("/ws");
        _ws.CreateDirectory("/d");
        _ws.WriteAllBytesAsync("/d/f", TestData.Text("f")).GetAwaiter().GetResult();
        _ws.CreateSymbolicLink("/l", "d/f");
    }

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> EdgeTimes => new() { "min", "max", "epoch", "offset" };

    private static DateTimeOffset TimeOf(string name) => name switch
    {
        "min" => DateTimeOffset.MinValue,
        "max" => DateTimeOffset.MaxValue,
        "epoch" => DateTimeOffset.UnixEpoch,
        _ => new DateTimeOffset(2001, 2, 3, 4, 5, 6, 789, TimeSpan.FromHours(-11)).AddTicks(1234),
    };

    [Theory]
    [MemberData(nameof(EdgeTimes))]
    public void Times_at_the_edges_round_trip_through_stat_listing_diff_and_reopen(string which)
    {
        var time = TimeOf(which);
        foreach (var path in new[] { "/", "/d", "/d/f", "/l" })
        {
            var set = _ws.SetLastWriteTime(path, time);
            Assert.Equal(time.UtcTicks, set.LastWriteTime.UtcTicks);
            Assert.Equal(time.UtcTicks, _ws.Stat(path).LastWriteTime.UtcTicks);
        }
        var lines = AttackTree.Lines(_ws);
        var reopened = _temp.Reopen().OpenWorkspace("/ws");
        Assert.Equal(lines, AttackTree.Lines(reopened));
        var snap = reopened.Snapshot();
        Assert.Equal(time.UtcTicks, snap.Stat("/d/f").LastWriteTime.UtcTicks);
        Assert.True(_temp.Store.Verify().IsHealthy);
    }

    [Fact]
    public void Mode_07777_and_the_highest_ids_round_trip_and_one_more_is_refused_without_a_change()
    {
        var all = (UnixFileMode)0xFFF;
        _ws.SetUnixFileMode("/d/f", all);
        _ws.SetUnixFileMode("/", all);
        _ws.SetOwner("/l", 4294967294, 4294967294);
        _ws.SetOwner("/d", 0, 0);
        var lines = AttackTree.Lines(_ws);

        Assert.Throws<ArgumentOutOfRangeException>(() => _ws.SetUnixFileMode("/d/f", (UnixFileMode)0x1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ws.SetUnixFileMode("/d/f", (UnixFileMode)(0x8000 | 0x1A4))); // S_IFREG | 0644
        Assert.Throws<ArgumentOutOfRangeException>(() => _ws.SetUnixFileMode("/d/f", (UnixFileMode)(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ws.SetOwner("/d/f", 4294967295, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ws.SetOwner("/d/f", 0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ws.SetOwner("/d/f", long.MaxValue, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ws.SetOwner("/d/f", long.MinValue, 0));
        Assert.Equal(lines, AttackTree.Lines(_ws));

        var reopened = _temp.Reopen().OpenWorkspace("/ws");
        Assert.Equal(lines, AttackTree.Lines(reopened));
        Assert.Equal(all, reopened.Stat("/d/f").Mode);
        Assert.Equal(4294967294, reopened.Stat("/l").OwnerId);
    }

    public static TheoryData<string> EdgeTargets => new()
    {
        new string('x', 4095),
        new string('é', 2047) + "x", // 4,095 UTF-8 bytes, 2,048 chars
        string.Concat(Enumerable.Repeat("😀", 1023)) + "abc", // 4-byte scalars: 4,095 bytes
        "line1\nline2\r\n",
        "\u00A0 \u200B\uFEFF",
        "/",
        ".",
        "..",
    };

    [Theory]
    [MemberData(nameof(EdgeTargets))]
    public void Link_targets_at_the_edges_round_trip_exactly(string target)
    {
        var created = _ws.CreateSymbolicLink("/d/edge", target);
        Assert.Equal(target, created.LinkTarget);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(target), created.Length);
        var fork = Store.Clone("/ws", "/fork").Workspace;
        fork.Delete("/d/edge");
        fork.CreateSymbolicLink("/d/edge", "other");
        Assert.Equal([new SubtreeDelta("/d/edge", DeltaKind.Modified)], Store.Diff("/ws", "/fork"));
        var reopened = _temp.Reopen().OpenWorkspace("/ws");
        Assert.Equal(target, reopened.Stat("/d/edge").LinkTarget);
        Assert.Equal(target, Assert.Single(reopened.List("/d"), n => n.Name == "edge").LinkTarget);
        Assert.True(_temp.Store.Verify().IsHealthy);
    }

    [Fact]
    public void A_target_one_byte_too_long_in_four_byte_scalars_is_refused()
    {
        var target = string.Concat(Enumerable.Repeat("😀", 1024)); // 4,096 bytes
        Assert.Throws<InvalidPathException>(() => _ws.CreateSymbolicLink("/d/too-long", target));
        Assert.False(_ws.Exists("/d/too-long"));
    }

    [Fact]
    public async Task Change_time_never_goes_backwards_and_modification_time_follows_the_rules()
    {
        var start = _ws.Stat("/d/f");
        await Task.Delay(5);
        var chmod = _ws.SetUnixFileMode("/d/f", (UnixFileMode)0x180);
        Assert.Equal(start.LastWriteTime, chmod.LastWriteTime);
        Assert.True(chmod.ChangeTime > start.ChangeTime);

        await Task.Delay(5);
        var touched = _ws.SetLastWriteTime("/d/f", DateTimeOffset.UnixEpoch); // mtime back in time: allowed, ctime forward
        Assert.True(touched.ChangeTime > chmod.ChangeTime);

        await Task.Delay(5);
        var dirBefore = _ws.Stat("/d");
        _ws.Move("/d/f", "/d/g");
        var moved = _ws.Stat("/d/g");
        Assert.Equal(touched.LastWriteTime, moved.LastWriteTime); // rename keeps mtime
        Assert.True(moved.ChangeTime > touched.ChangeTime);
        Assert.True(_ws.Stat("/d").LastWriteTime > dirBefore.LastWriteTime);

        await Task.Delay(5);
        await _ws.Write("/d/g", "new bytes");
        var written = _ws.Stat("/d/g");
        Assert.True(written.LastWriteTime > moved.ChangeTime);
        Assert.Equal(written.LastWriteTime, written.ChangeTime);
        Assert.Equal((UnixFileMode)0x180, written.Mode); // a write keeps the mode

        await Task.Delay(5);
        await _ws.TruncateAsync("/d/g", 1);
        Assert.True(_ws.Stat("/d/g").ChangeTime > written.ChangeTime);
        Assert.Equal((UnixFileMode)0x180, _ws.Stat("/d/g").Mode);

        var lines = AttackTree.Lines(_ws);
        Assert.Equal(lines, AttackTree.Lines(_temp.Reopen().OpenWorkspace("/ws")));
    }

    [Fact]
    public void Setting_attributes_of_a_missing_path_or_through_a_file_changes_nothing()
    {
        var lines = AttackTree.Lines(_ws);
        Assert.Throws<PathNotFoundException>(() => _ws.SetOwner("/missing", 1, 1));
        Assert.Throws<NotADirectoryException>(() => _ws.SetUnixFileMode("/d/f/below", (UnixFileMode)0x1C0));
        Assert.Throws<InvalidPathException>(() => _ws.SetLastWriteTime("relative", DateTimeOffset.UnixEpoch));
        Assert.ThrowsAny<ArgumentException>(() => _ws.SetOwner(null!, 1, 1));
        Assert.Equal(lines, AttackTree.Lines(_ws));
    }
}
