using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace NoKV.Cli.Tests;

/// <summary>
/// While another process owns the store and serves nokv.sock, every command works from other
/// processes through it, with the output, exit codes and errors of a local run.
/// </summary>
public sealed class RemoteOwnerTests : IDisposable
{
    private readonly Nokv _nokv = new();

    public void Dispose() => _nokv.Dispose();

    private void Seed()
    {
        _nokv.Ok("init");
        _nokv.Ok("create", "/base");
        _nokv.RunWithInput("alpha\nbeta\n"u8.ToArray(), "put", "/base/a.txt", "-");
        _nokv.Ok("mkdir", "/base/src");
        _nokv.RunWithInput("keep\n"u8.ToArray(), "put", "/base/src/k.txt", "-");
    }

    [Fact]
    public void Diff_snapshot_rollback_cat_put_and_promote_work_from_another_process_while_serve_owns_the_store()
    {
        Seed();
        using var owner = ServeProcess.Start(_nokv.Store);
        Assert.Equal($"serving {_nokv.Store} at {Path.Combine(_nokv.Store, "nokv.sock")}", owner.FirstLine);

        var snapshot = _nokv.Ok("snapshot", "/base").Lines.Single();
        var id = Regex.Match(snapshot, @"^snapshot /base id=(\d+) version=\d+$").Groups[1].Value;
        Assert.NotEmpty(id);
        Assert.Matches(@"^cloned /base -> /forks/a root=\d+ snapshot=\d+$", _nokv.Ok("clone", "/base", "/forks/a").Lines.Single());

        Assert.Equal(0, _nokv.RunWithInput("ALPHA\nbeta\n"u8.ToArray(), "put", "/forks/a/a.txt", "-").ExitCode);
        Assert.Equal(0, _nokv.RunWithInput("new\n"u8.ToArray(), "put", "/forks/a/new.txt", "-").ExitCode);
        Assert.Equal("ALPHA\nbeta\n", _nokv.Ok("cat", "/forks/a/a.txt").Stdout);
        Assert.Equal(["M    /a.txt", "A    /new.txt"], _nokv.Ok("diff", "/base", "/forks/a").Lines);
        Assert.Equal(1, _nokv.Run("diff", "--exit-code", "/base", "/forks/a").ExitCode);
        var patch = _nokv.Ok("diff", "--patch", "/base", "/forks/a").Stdout;
        Assert.Contains("-alpha", patch, StringComparison.Ordinal);
        Assert.Contains("+ALPHA", patch, StringComparison.Ordinal);

        var promote = _nokv.Run("promote", "/forks/a", "/base");
        Assert.Equal(0, promote.ExitCode);
        Assert.Equal(["M    /a.txt", "A    /new.txt"], promote.Lines);
        Assert.Equal("ALPHA\nbeta\n", _nokv.Ok("cat", "/base/a.txt").Stdout);

        Assert.Equal($"rolled back /base to snapshot {id}", _nokv.Ok("rollback", "/base", id).Lines.Single());
        Assert.Equal("alpha\nbeta\n", _nokv.Ok("cat", "/base/a.txt").Stdout);
        Assert.Equal("alpha\nbeta\n", _nokv.Ok("cat", $"@{id}/a.txt").Stdout);
        Assert.Equal(["a.txt", "src/"], _nokv.Ok("ls", "/base").Lines);

        var stopped = owner.Stop();
        Assert.Equal(0, stopped.ExitCode);
        Assert.Contains("stopped serving", stopped.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_nokv.Store, "nokv.sock")));
        // The store is the owner's no more: the same commands run in-process and see the same state.
        Assert.Equal("alpha\nbeta\n", _nokv.Ok("cat", "/base/a.txt").Stdout);
        Assert.Equal(["M    /a.txt", "D    /new.txt"], _nokv.Ok("diff", "/forks/a", "/base").Lines);
    }

    [Fact]
    public void Output_errors_and_exit_codes_through_the_owner_equal_a_local_run()
    {
        Seed();
        _nokv.Ok("clone", "/base", "/forks/a");
        string[][] commands =
        [
            ["ls", "-l", "/base"], ["stat", "/base/a.txt"], ["cat", "/base/src/k.txt"], ["diff", "--json", "/base", "/forks/a"],
            ["workspaces"], ["snapshots"], ["cat", "/base/missing"], ["ls", "/nowhere/x"], ["rm", "/base/src"],
            ["create", "/base"], ["rollback", "/base", "999"], ["mkdir", "/base/a.txt/x"], ["fsck"],
        ];
        var local = commands.Select(c => _nokv.Run(c)).ToList();
        using var owner = ServeProcess.Start(_nokv.Store);
        var remote = commands.Select(c => _nokv.Run(c)).ToList();
        for (var i = 0; i < commands.Length; i++)
        {
            var what = string.Join(' ', commands[i]);
            Assert.True(local[i].ExitCode == remote[i].ExitCode, $"{what}: exit {local[i].ExitCode} locally, {remote[i].ExitCode} through the owner ({remote[i].Stderr})");
            Assert.Equal(local[i].Stderr, remote[i].Stderr);
            if (commands[i][0] != "fsck") Assert.Equal(local[i].Stdout, remote[i].Stdout);
        }
    }

    [Fact]
    public void A_second_owner_is_refused_and_a_locked_store_without_a_server_says_already_open()
    {
        Seed();
        using var owner = ServeProcess.Start(_nokv.Store);
        var second = _nokv.Run("serve");
        Assert.Equal(3, second.ExitCode);
        Assert.Contains("already open", second.Stderr, StringComparison.Ordinal);
        Assert.Equal("alpha\nbeta\n", _nokv.Ok("cat", "/base/a.txt").Stdout); // the first still serves
    }

    [Fact]
    public void A_put_killed_mid_stream_publishes_nothing_at_the_owner()
    {
        Seed();
        using var owner = ServeProcess.Start(_nokv.Store);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Nokv.ToolPathForTests, "--store", _nokv.Store, "put", "/base/a.txt", "-" }) start.ArgumentList.Add(arg);
        using (var put = Process.Start(start)!)
        {
            var chunk = new byte[1024 * 1024];
            for (var i = 0; i < 4; i++) put.StandardInput.BaseStream.Write(chunk);
            put.StandardInput.BaseStream.Flush();
            Thread.Sleep(3000); // the tool starts, connects and streams the chunks to the owner
            put.Kill(entireProcessTree: true); // no end of stream: the connection just drops
            put.WaitForExit();
        }
        Thread.Sleep(500);
        Assert.Equal("alpha\nbeta\n", _nokv.Ok("cat", "/base/a.txt").Stdout);
        Assert.Contains("size: 11", _nokv.Ok("stat", "/base/a.txt").Lines);
    }
}
