using System.Diagnostics;

namespace NoKV.Cli.Tests;

public sealed class ImportSkipTests : IDisposable
{
    private readonly Nokv _nokv = new();

    public void Dispose() => _nokv.Dispose();

    [Fact]
    public void Import_names_every_entry_it_skipped_and_never_waits_on_a_named_pipe()
    {
        var source = Path.Combine(_nokv.Root, "src");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "a.txt"), "a");
        File.CreateSymbolicLink(Path.Combine(source, "link"), "a.txt");
        using (var mkfifo = Process.Start("mkfifo", Path.Combine(source, "pipe"))) mkfifo.WaitForExit();
        Assert.True(File.Exists(Path.Combine(source, "pipe")), "mkfifo made no pipe");

        _nokv.Ok("init");
        _nokv.Ok("create", "/base");
        var result = _nokv.Ok("import", source, "/base");

        Assert.Equal("imported 1 files, 0 directories, 1 bytes into /base", result.Lines.Single());
        Assert.Contains("skipped named pipe: pipe", result.Stderr, StringComparison.Ordinal);
        // Since issue 14 a link is imported as a link, not skipped.
        Assert.DoesNotContain("link", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("-> a.txt", _nokv.Ok("ls", "-l", "/base").Stdout, StringComparison.Ordinal);
    }
}
