namespace NoKV.Cli.Tests;

/// <summary>
/// Issue 18 on the command line: `nokv readonly` refuses writes into a workspace (exit 2, nothing
/// changed) until turned off; `--ttl` on create/clone/snapshot and `nokv expire` give lifetimes
/// that `nokv gc` honours. Run in-process and through a serving owner alike.
/// </summary>
public sealed class LifecycleCommandTests : IDisposable
{
    private readonly Nokv _nokv = new();

    public void Dispose() => _nokv.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Readonly_refuses_writes_until_turned_off(bool throughOwner)
    {
        _nokv.Ok("init");
        _nokv.Ok("create", "/base");
        _nokv.RunWithInput("kept\n"u8.ToArray(), "put", "/base/a.txt", "-");
        using var owner = throughOwner ? ServeProcess.Start(_nokv.Store) : null;

        Assert.Equal("/base is read-only", _nokv.Ok("readonly", "/base").Lines.Single());
        var refused = _nokv.RunWithInput("changed\n"u8.ToArray(), "put", "/base/a.txt", "-");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("read-only", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, _nokv.Run("drop", "/base").ExitCode);
        Assert.Equal("kept\n", _nokv.Ok("cat", "/base/a.txt").Stdout);
        _nokv.Ok("clone", "/base", "/forks/a"); // clones of a read-only base are writable
        Assert.Equal(0, _nokv.RunWithInput("fork\n"u8.ToArray(), "put", "/forks/a/a.txt", "-").ExitCode);

        Assert.Equal("/base is writable", _nokv.Ok("readonly", "/base", "off").Lines.Single());
        Assert.Equal(0, _nokv.RunWithInput("changed\n"u8.ToArray(), "put", "/base/a.txt", "-").ExitCode);
        Assert.Equal("changed\n", _nokv.Ok("cat", "/base/a.txt").Stdout);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Lifetimes_from_the_command_line_are_honoured_by_gc(bool throughOwner)
    {
        _nokv.Ok("init");
        _nokv.Ok("create", "/base");
        using var owner = throughOwner ? ServeProcess.Start(_nokv.Store) : null;
        _nokv.Ok("create", "/short", "--ttl", "1s");
        _nokv.Ok("clone", "/base", "/forks/short", "--ttl", "1s");
        _nokv.Ok("clone", "/base", "/forks/kept", "--ttl", "1s");
        Assert.Matches(@"^/forks/kept never expires$", _nokv.Ok("expire", "/forks/kept", "never").Lines.Single());
        _nokv.Ok("snapshot", "/base", "--ttl", "1s");
        Assert.Equal(2, _nokv.Run("create", "/bad", "--ttl", "soon").ExitCode);
        Assert.Equal(2, _nokv.Run("create", "/bad", "--ttl", "0s").ExitCode);

        Thread.Sleep(1500);
        _nokv.Ok("gc");
        var workspaces = _nokv.Ok("workspaces").Stdout;
        Assert.DoesNotContain("/short", workspaces, StringComparison.Ordinal);
        Assert.DoesNotContain("/forks/short", workspaces, StringComparison.Ordinal);
        Assert.Contains("/forks/kept", workspaces, StringComparison.Ordinal);
        Assert.DoesNotContain("/bad", workspaces, StringComparison.Ordinal);
        // Left: the kept clone's own snapshot of /base (the timed one and the dropped clone's went).
        Assert.Single(_nokv.Ok("snapshots").Lines.Skip(1));
    }
}
