using System.Net.Sockets;
using NoKV.Tests;

namespace NoKV.Cli.Tests;

/// <summary>
/// nokv import T /base and nokv export /base O give back the same tree: diff -r --no-dereference
/// finds nothing, and every path's type, mode (setuid included), owner, mtime and link target match.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TreeRoundTripTests : IDisposable
{
    private static readonly DateTime Old = new(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
    private readonly Nokv _nokv = new();

    public void Dispose() => _nokv.Dispose();

    [SkippableFact]
    public void A_real_tree_survives_import_then_export_exactly()
    {
        Skip.IfNot(PosixTree.Usable, "Linux 64-bit");
        var tree = Path.Combine(_nokv.Root, "T");
        Directory.CreateDirectory(Path.Combine(tree, "src", "deep"));
        Directory.CreateDirectory(Path.Combine(tree, "empty"));
        File.WriteAllText(Path.Combine(tree, "build.sh"), "#!/bin/sh\necho built\n");
        File.WriteAllText(Path.Combine(tree, "private.key"), "k");
        File.WriteAllText(Path.Combine(tree, "setuid-tool"), "s");
        File.WriteAllText(Path.Combine(tree, "src", "deep", "main.c"), "int main;\n");
        File.SetUnixFileMode(Path.Combine(tree, "build.sh"), (UnixFileMode)0x1ED); // 0755
        File.SetUnixFileMode(Path.Combine(tree, "private.key"), (UnixFileMode)0x180); // 0600
        File.SetUnixFileMode(Path.Combine(tree, "setuid-tool"), (UnixFileMode)0x9ED); // 04755
        File.SetUnixFileMode(Path.Combine(tree, "empty"), (UnixFileMode)0x1C0); // 0700
        File.CreateSymbolicLink(Path.Combine(tree, "relative"), "src/deep/main.c");
        File.CreateSymbolicLink(Path.Combine(tree, "absolute"), "/etc/hostname");
        File.CreateSymbolicLink(Path.Combine(tree, "dangling"), "no/such/file");
        File.CreateSymbolicLink(Path.Combine(tree, "current"), "src");
        File.CreateSymbolicLink(Path.Combine(tree, "src", "up"), "../build.sh");
        RealTree.Run("mkfifo", Path.Combine(tree, "pipe"));
        // Kept open for the test: .NET removes a socket's file when the socket is disposed.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(tree, "sock")));
        // Old times on everything, the directories' last (creating an entry moves its directory's).
        foreach (var path in new[] { "build.sh", "private.key", "setuid-tool", "src/deep/main.c", "relative", "absolute", "dangling", "current", "src/up", "empty", "src/deep", "src", "" }
            .Select((p, i) => (Path.Combine(tree, p), Old.AddMinutes(i))))
            PosixTree.SetLastWriteTime(path.Item1, path.Item2);

        _nokv.Ok("init");
        var imported = _nokv.Ok("import", tree, "/base");
        var output = Path.Combine(_nokv.Root, "O");
        _nokv.Ok("export", "/base", output);

        Assert.Contains("skipped named pipe: pipe", imported.Stderr, StringComparison.Ordinal);
        Assert.Contains("skipped socket: sock", imported.Stderr, StringComparison.Ordinal);
        var diff = RealTree.Run("diff", "-r", "--no-dereference", "-x", "pipe", "-x", "sock", tree, output);
        Assert.True(diff.ExitCode == 0 && diff.Stdout.Length == 0, $"diff found: {diff.Stdout}{diff.Stderr}");
        var expected = RealTree.Listing(tree);
        expected.RemoveWhere(line => line.StartsWith("pipe\t", StringComparison.Ordinal) || line.StartsWith("sock\t", StringComparison.Ordinal));
        Assert.Equal(string.Join('\n', expected), string.Join('\n', RealTree.Listing(output)));
        Assert.Equal(13, expected.Count); // the listing saw every kind, so the comparison is not vacuous
        Assert.Equal("src", new FileInfo(Path.Combine(output, "current")).LinkTarget);
    }
}
