namespace NoKV.Tests;

/// <summary>
/// Import keeps what a POSIX tree has besides bytes: symbolic links as links (target byte for
/// byte, never followed), permission bits with setuid/setgid/sticky, owner uid/gid, and
/// modification times of files, links and directories (a directory's survives its entries being added).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ImportAttributeTests : IDisposable
{
    private static readonly DateTime Old = new(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
    private readonly TempStore _temp = new();
    private readonly string _source = Path.Combine(Path.GetTempPath(), "nokv-attrs-" + Guid.NewGuid().ToString("N")[..8]);

    public ImportAttributeTests() => Directory.CreateDirectory(_source);

    public void Dispose()
    {
        _temp.Dispose();
        Directory.Delete(_source, recursive: true);
    }

    private string At(string relative) => Path.Combine(_source, relative);

    [SkippableFact]
    public async Task Links_are_stored_as_links_with_their_targets_and_never_followed()
    {
        Skip.IfNot(PosixTree.Usable, "Linux 64-bit");
        var outside = _source + "-outside";
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret"), "secret");
        try
        {
            Directory.CreateDirectory(At("sub"));
            File.WriteAllText(At("sub/f"), "f");
            File.CreateSymbolicLink(At("relative"), "sub/f");
            File.CreateSymbolicLink(At("absolute"), Path.Combine(outside, "secret"));
            File.CreateSymbolicLink(At("dangling"), "../no/such/thing");
            Directory.CreateSymbolicLink(At("to-dir"), outside);

            var ws = _temp.Store.CreateWorkspace("/base");
            var result = await ws.ImportAsync(_source);

            Assert.Equal(4, result.Links);
            Assert.Equal(1, result.Files); // the secret outside was not read through either link
            Assert.Empty(result.Skipped);
            foreach (var (name, target) in new[] { ("relative", "sub/f"), ("absolute", Path.Combine(outside, "secret")), ("dangling", "../no/such/thing"), ("to-dir", outside) })
            {
                var node = ws.Stat("/" + name);
                Assert.Equal(NodeKind.SymbolicLink, node.Kind);
                Assert.Equal(target, node.LinkTarget);
                Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(target), node.Length);
            }
            Assert.Throws<NotADirectoryException>(() => ws.List("/to-dir"));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [SkippableFact]
    public async Task Modes_owners_and_mtimes_of_files_directories_and_links_are_kept()
    {
        Skip.IfNot(PosixTree.Usable, "Linux 64-bit");
        File.WriteAllText(At("script"), "#!/bin/sh\n");
        File.WriteAllText(At("private"), "p");
        File.WriteAllText(At("setuid"), "s");
        Directory.CreateDirectory(At("closed"));
        Directory.CreateDirectory(At("shared"));
        File.WriteAllText(At("shared/inner"), "i");
        File.CreateSymbolicLink(At("link"), "script");
        File.SetUnixFileMode(At("script"), (UnixFileMode)0x1ED); // 0755
        File.SetUnixFileMode(At("private"), (UnixFileMode)0x180); // 0600
        File.SetUnixFileMode(At("setuid"), (UnixFileMode)0x9ED); // 04755
        File.SetUnixFileMode(At("closed"), (UnixFileMode)0x1C0); // 0700
        File.SetUnixFileMode(At("shared"), (UnixFileMode)0x3FF); // 01777
        var times = new Dictionary<string, DateTime>
        {
            ["script"] = Old, ["private"] = Old.AddSeconds(1), ["setuid"] = Old.AddTicks(1234567), ["link"] = Old.AddDays(2),
            ["shared/inner"] = Old.AddDays(3), ["closed"] = Old.AddDays(4), ["shared"] = Old.AddDays(5),
        };
        foreach (var (path, time) in times) PosixTree.SetLastWriteTime(At(path), time);
        PosixTree.SetLastWriteTime(_source, Old.AddDays(6));

        var ws = _temp.Store.CreateWorkspace("/base");
        await ws.ImportAsync(_source, "/copy");

        Assert.Equal((UnixFileMode)0x1ED, ws.Stat("/copy/script").Mode);
        Assert.Equal((UnixFileMode)0x180, ws.Stat("/copy/private").Mode);
        Assert.Equal((UnixFileMode)0x9ED, ws.Stat("/copy/setuid").Mode);
        Assert.Equal((UnixFileMode)0x1C0, ws.Stat("/copy/closed").Mode);
        Assert.Equal((UnixFileMode)0x3FF, ws.Stat("/copy/shared").Mode);
        Assert.Equal((UnixFileMode)0x1FF, ws.Stat("/copy/link").Mode);
        foreach (var (path, time) in times) Assert.Equal(time, ws.Stat("/copy/" + path).LastWriteTime.UtcDateTime);
        // The target directory takes the source root's attributes, after everything went in.
        Assert.Equal(Old.AddDays(6), ws.Stat("/copy").LastWriteTime.UtcDateTime);
        foreach (var path in times.Keys.Select(p => "/copy/" + p).Append("/copy"))
        {
            var node = ws.Stat(path);
            Assert.Equal((PosixTree.EffectiveUser(), PosixTree.EffectiveGroup()), ((uint)node.OwnerId, (uint)node.GroupId));
        }
    }

    [SkippableFact]
    public async Task A_directory_keeps_its_mtime_when_its_entries_span_several_batches()
    {
        Skip.IfNot(PosixTree.Usable, "Linux 64-bit");
        Directory.CreateDirectory(At("big"));
        for (var i = 0; i < 1005; i++) File.WriteAllText(At($"big/{i:D4}"), "x");
        PosixTree.SetLastWriteTime(At("big"), Old);

        var ws = _temp.Store.CreateWorkspace("/base");
        var result = await ws.ImportAsync(_source);

        Assert.Equal(1005, result.Files);
        Assert.Equal(Old, ws.Stat("/big").LastWriteTime.UtcDateTime);
    }

    [SkippableFact]
    public async Task Importing_over_existing_nodes_gives_them_the_sources_attributes()
    {
        Skip.IfNot(PosixTree.Usable, "Linux 64-bit");
        var ws = _temp.Store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/file", "old"u8.ToArray());
        ws.SetOwner("/file", 1234, 5678);
        ws.CreateSymbolicLink("/link", "old-target");
        ws.CreateDirectory("/dir");
        File.WriteAllText(At("file"), "new");
        File.SetUnixFileMode(At("file"), (UnixFileMode)0x1C0);
        File.CreateSymbolicLink(At("link"), "new-target");
        Directory.CreateDirectory(At("dir"));
        File.SetUnixFileMode(At("dir"), (UnixFileMode)0x1E8); // 0750
        foreach (var path in new[] { "file", "link", "dir" }) PosixTree.SetLastWriteTime(At(path), Old);

        await ws.ImportAsync(_source);

        var file = ws.Stat("/file");
        Assert.Equal(((UnixFileMode)0x1C0, Old, (long)PosixTree.EffectiveUser()), (file.Mode, file.LastWriteTime.UtcDateTime, file.OwnerId));
        Assert.Equal("new", System.Text.Encoding.UTF8.GetString(await ws.ReadAllBytesAsync("/file")));
        Assert.Equal(("new-target", Old), (ws.Stat("/link").LinkTarget, ws.Stat("/link").LastWriteTime.UtcDateTime));
        Assert.Equal(((UnixFileMode)0x1E8, Old), (ws.Stat("/dir").Mode, ws.Stat("/dir").LastWriteTime.UtcDateTime));
    }

    [SkippableFact]
    public async Task A_link_whose_target_is_not_UTF8_is_skipped_and_reported()
    {
        Skip.IfNot(PosixTree.Usable, "Linux 64-bit");
        PosixTree.CreateLink(At("bad"), [(byte)'a', 0xFF, (byte)'b']);
        File.CreateSymbolicLink(At("good"), "a");

        var ws = _temp.Store.CreateWorkspace("/base");
        var result = await ws.ImportAsync(_source);

        Assert.Equal([new ImportSkip("bad", ImportSkipReason.UnsupportedLinkTarget)], result.Skipped);
        Assert.Equal(["good"], ws.List("/").Select(n => n.Name));
    }

    [Fact]
    public void Link_targets_longer_than_4095_bytes_or_not_UTF8_cannot_be_stored()
    {
        Assert.True(Import.ImportLinkTargets.Storable(new byte[4095].Select(_ => (byte)'a').ToArray()));
        Assert.False(Import.ImportLinkTargets.Storable(new byte[4096].Select(_ => (byte)'a').ToArray()));
        Assert.False(Import.ImportLinkTargets.Storable([0xC3]));
        Assert.False(Import.ImportLinkTargets.Storable([]));
        Assert.True(Import.ImportLinkTargets.Storable("ü/../x"u8.ToArray()));
    }
}
