namespace NoKV.Cli.Tests;

/// <summary>ln -s, chmod, touch, and how ls -l and stat show modes, owners, times and link targets.</summary>
public sealed class AttributeCommandTests : IDisposable
{
    private readonly Nokv _nokv = new();

    public AttributeCommandTests()
    {
        _nokv.Ok("init");
        _nokv.Ok("create", "/base");
        _nokv.RunWithInput("#!/bin/sh\n"u8.ToArray(), "put", "/base/run.sh");
    }

    public void Dispose() => _nokv.Dispose();

    private string Stat(string path, string field) =>
        _nokv.Ok("stat", path).Lines.Single(l => l.StartsWith(field + ": ", StringComparison.Ordinal))[(field.Length + 2)..];

    [Fact]
    public void Chmod_takes_octal_and_symbolic_modes_and_stat_shows_them()
    {
        _nokv.Ok("chmod", "755", "/base/run.sh");
        Assert.Equal("0755 (-rwxr-xr-x)", Stat("/base/run.sh", "mode"));
        _nokv.Ok("chmod", "04755", "/base/run.sh");
        Assert.Equal("4755 (-rwsr-xr-x)", Stat("/base/run.sh", "mode"));
        _nokv.Ok("chmod", "u-s,go-rx", "/base/run.sh");
        Assert.Equal("0700 (-rwx------)", Stat("/base/run.sh", "mode"));
        _nokv.Ok("mkdir", "/base/tmp");
        _nokv.Ok("chmod", "1777", "/base/tmp");
        Assert.Equal("1777 (drwxrwxrwt)", Stat("/base/tmp", "mode"));
        _nokv.Ok("chmod", "a=r", "/base/tmp");
        Assert.Equal("0444 (dr--r--r--)", Stat("/base/tmp", "mode"));
    }

    [Fact]
    public void Bad_modes_and_a_mode_for_a_link_are_usage_errors_that_change_nothing()
    {
        _nokv.Ok("ln", "-s", "run.sh", "/base/link");
        foreach (var bad in new[] { "888", "17777", "u+q", "x", "" })
            Assert.Equal(2, _nokv.Run("chmod", bad, "/base/run.sh").ExitCode);
        var onLink = _nokv.Run("chmod", "700", "/base/link");
        Assert.Equal(2, onLink.ExitCode);
        Assert.Contains("symbolic link", onLink.Stderr, StringComparison.Ordinal);
        Assert.Equal("0644 (-rw-r--r--)", Stat("/base/run.sh", "mode"));
        Assert.Equal("0777 (lrwxrwxrwx)", Stat("/base/link", "mode"));
    }

    [Fact]
    public void Ln_s_makes_a_link_that_ls_l_and_stat_show_with_its_target()
    {
        _nokv.Ok("ln", "-s", "../elsewhere/none", "/base/dangling");
        Assert.Equal("symbolic link", Stat("/base/dangling", "kind"));
        Assert.Equal("../elsewhere/none", Stat("/base/dangling", "target"));
        Assert.Equal("17", Stat("/base/dangling", "size"));
        var line = _nokv.Ok("ls", "-l", "/base").Lines.Single(l => l.Contains("dangling", StringComparison.Ordinal));
        Assert.StartsWith("lrwxrwxrwx ", line, StringComparison.Ordinal);
        Assert.EndsWith(" dangling -> ../elsewhere/none", line, StringComparison.Ordinal);

        Assert.Equal(2, _nokv.Run("ln", "-s", "x", "/base/dangling").ExitCode); // exists
        Assert.Equal(2, _nokv.Run("ln", "run.sh", "/base/hard").ExitCode); // no hard links
        Assert.Equal(2, _nokv.Run("stat", "/base/hard").ExitCode);
    }

    [Fact]
    public void Ls_l_shows_mode_owner_group_size_and_mtime()
    {
        _nokv.Ok("chmod", "750", "/base/run.sh");
        _nokv.Ok("touch", "-d", "2001-02-03T04:05:06Z", "/base/run.sh");
        var fields = _nokv.Ok("ls", "-l", "/base").Lines.Single().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["-rwxr-x---", Stat("/base/run.sh", "uid"), Stat("/base/run.sh", "gid"), "10", "2001-02-03", "04:05:06", "run.sh"], fields);
    }

    [Fact]
    public void Touch_creates_an_empty_file_or_sets_the_mtime_and_stat_shows_every_field()
    {
        _nokv.Ok("touch", "/base/new");
        Assert.Equal("file", Stat("/base/new", "kind"));
        Assert.Equal("0", Stat("/base/new", "size"));
        _nokv.Ok("touch", "--date", "2001-02-03T04:05:06.5+01:00", "/base/new");
        Assert.Equal("2001-02-03T03:05:06.5000000+00:00", Stat("/base/new", "modified"));
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        _nokv.Ok("touch", "/base/new");
        Assert.True(DateTimeOffset.Parse(Stat("/base/new", "modified"), System.Globalization.CultureInfo.InvariantCulture) > before);
        _nokv.Ok("touch", "-d", "1999-01-01", "/base/created-old");
        Assert.Equal("1999-01-01T00:00:00.0000000+00:00", Stat("/base/created-old", "modified"));
        Assert.Equal(2, _nokv.Run("touch", "-d", "yesterday-ish", "/base/new").ExitCode);

        var fields = _nokv.Ok("stat", "/base/new").Lines.Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]);
        Assert.Equal(["path", "kind", "size", "generation", "inode", "mode", "uid", "gid", "modified", "changed"], fields);
    }
}
