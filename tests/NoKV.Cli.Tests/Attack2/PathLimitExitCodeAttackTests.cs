namespace NoKV.Cli.Tests;

/// <summary>
/// Attack: the CLI's exit code for paths over the limits. README: "2 bad usage or input (one line
/// on stderr, nothing changed)". A path too long or too deep is the user's input.
/// </summary>
public sealed class PathLimitExitCodeAttackTests : IDisposable
{
    private readonly Nokv _nokv = new();

    public void Dispose() => _nokv.Dispose();

    private static void AssertBadInput(NokvResult result)
    {
        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}: {result.Stderr}");
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_workspace_path_over_500_bytes_is_bad_input()
    {
        _nokv.Ok("init");
        var name = new string('w', 255);
        AssertBadInput(_nokv.Run("create", $"/{name}/{name}"));
    }

    // Printed: exit code 3: nokv: The operation would create '/a/b/c/e/g/h/d/d/...d/f', which is deeper than 256 segments; nothing was changed.
    [Fact]
    public void A_move_that_makes_a_path_too_deep_is_bad_input()
    {
        var source = Path.Combine(_nokv.Root, "deep");
        var dir = source;
        for (var i = 0; i < 250; i++) dir = Path.Combine(dir, "d");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "f"), "x");
        _nokv.Ok("init");
        _nokv.Ok("import", source, "/base");
        _nokv.Ok("mkdir", "/base/a");
        _nokv.Ok("mkdir", "/base/a/b");
        _nokv.Ok("mkdir", "/base/a/b/c");
        _nokv.Ok("mkdir", "/base/a/b/c/e");
        _nokv.Ok("mkdir", "/base/a/b/c/e/g");
        _nokv.Ok("mkdir", "/base/a/b/c/e/g/h");

        AssertBadInput(_nokv.Run("mv", "/base/d", "/base/a/b/c/e/g/h/d"));
        _nokv.Ok("stat", "/base/d");
    }
}
