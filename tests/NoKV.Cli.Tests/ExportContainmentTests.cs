namespace NoKV.Cli.Tests;

/// <summary>
/// Export writes only inside its target: a link in the store (to a directory outside, above all)
/// is created as a link and never entered, and no path in the store can lead a write through it.
/// </summary>
public sealed class ExportContainmentTests : IDisposable
{
    private readonly Nokv _nokv = new();

    public void Dispose() => _nokv.Dispose();

    [SkippableFact]
    public void A_link_to_a_directory_outside_is_created_as_a_link_and_nothing_lands_outside()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "POSIX links");
        var outside = Path.Combine(_nokv.Root, "outside");
        Directory.CreateDirectory(outside);
        _nokv.Ok("init");
        _nokv.Ok("create", "/base");
        _nokv.Ok("ln", "-s", outside, "/base/x");
        _nokv.Ok("ln", "-s", "/etc", "/base/etc");
        _nokv.RunWithInput("data"u8.ToArray(), "put", "/base/y");

        // The store refuses a path through a link: there is no x/passwd to export.
        var through = _nokv.RunWithInput("root::0:0::/:/bin/sh"u8.ToArray(), "put", "/base/x/passwd");
        Assert.Equal(2, through.ExitCode);
        Assert.Equal(2, _nokv.Run("mkdir", "/base/etc/evil").ExitCode);

        var output = Path.Combine(_nokv.Root, "O");
        _nokv.Ok("export", "/base", output);

        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Equal(outside, new FileInfo(Path.Combine(output, "x")).LinkTarget);
        Assert.Equal("/etc", new FileInfo(Path.Combine(output, "etc")).LinkTarget);
        Assert.Equal("data", File.ReadAllText(Path.Combine(output, "y")));
        Assert.False(File.Exists("/etc/evil"));
    }

    [Fact]
    public void Export_into_a_directory_that_is_not_empty_is_refused()
    {
        _nokv.Ok("init");
        _nokv.Ok("create", "/base");
        var output = Path.Combine(_nokv.Root, "O");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "keep"), "k");

        Assert.Equal(2, _nokv.Run("export", "/base", output).ExitCode);
        Assert.Equal(["keep"], Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName));
    }
}
