namespace NoKV.Tests;

/// <summary>Real tools in a mounted fork: what agents run, each checked by what it leaves behind.</summary>
public sealed class MountedToolTests
{
    /// <summary>A fork of a small imported-looking tree, mounted.</summary>
    private static async Task<(MountedStore Store, Workspace Fork, SnapshotPin Base, WorkspaceMount Mount)> MountedForkAsync()
    {
        var t = new MountedStore();
        t.Base.CreateDirectory("/src");
        await t.Base.WriteAllBytesAsync("/src/main.c", "int main(void) { return 0; }\n"u8.ToArray());
        await t.Base.WriteAllBytesAsync("/notes.txt", "first\n"u8.ToArray());
        await t.Base.WriteAllBytesAsync("/old.txt", "old\n"u8.ToArray());
        var pin = t.Base.Snapshot();
        var fork = t.Store.Clone(pin, "/forks/a").Workspace;
        var mount = await t.MountAsync("/forks/a");
        return (t, fork, pin, mount);
    }

    [FuseFact]
    public async Task Git_init_add_commit_status_log_and_fsck_run_clean_in_a_mounted_fork()
    {
        var (t, _, _, mount) = await MountedForkAsync();
        await using var _ = t;
        var dir = mount.Directory;
        Fuse.RunOk(dir, "git", "init", "-q", "-b", "main");
        Fuse.RunOk(dir, "git", "add", "-A");
        Fuse.RunOk(dir, "git", "commit", "-q", "-m", "first");
        File.AppendAllText(Path.Combine(dir, "notes.txt"), "second\n");
        Fuse.RunOk(dir, "git", "commit", "-q", "-am", "second");
        Assert.Equal("", Fuse.RunOk(dir, "git", "status", "--porcelain").Trim());
        var log = Fuse.RunOk(dir, "git", "log", "--oneline");
        Assert.Equal(2, log.Trim().Split('\n').Length);
        Fuse.RunOk(dir, "git", "fsck", "--full", "--strict");
        Fuse.RunOk(dir, "git", "checkout", "-q", "HEAD~1");
        Assert.Equal("first\n", File.ReadAllText(Path.Combine(dir, "notes.txt")));
    }

    [FuseFact]
    public async Task An_executable_python_script_runs_as_dot_slash_script()
    {
        var (t, _, _, mount) = await MountedForkAsync();
        await using var _ = t;
        var script = Path.Combine(mount.Directory, "script.py");
        File.WriteAllText(script, "#!/usr/bin/env python3\nimport sys\nopen('out.txt', 'w').write('ran ' + sys.argv[1])\nprint('ok')\n");
        Fuse.RunOk(mount.Directory, "chmod", "+x", "script.py");
        Assert.Equal("ok", Fuse.RunOk(mount.Directory, "sh", "-c", "./script.py fine").Trim());
        Assert.Equal("ran fine", File.ReadAllText(Path.Combine(mount.Directory, "out.txt")));
    }

    [FuseFact]
    public async Task Cc_compiles_and_the_program_runs()
    {
        var (t, _, _, mount) = await MountedForkAsync();
        await using var _ = t;
        File.WriteAllText(Path.Combine(mount.Directory, "src/hello.c"), "#include <stdio.h>\nint main(void) { puts(\"hello from the mount\"); return 0; }\n");
        Fuse.RunOk(mount.Directory, "cc", "-O1", "-o", "hello", "src/hello.c");
        Assert.Equal("hello from the mount", Fuse.RunOk(mount.Directory, "sh", "-c", "./hello").Trim());
    }

    [FuseFact]
    public async Task Mv_over_an_existing_file_and_ln_s_with_readlink_work_and_diff_lists_exactly_the_changes()
    {
        var (t, fork, pin, mount) = await MountedForkAsync();
        await using var _ = t;
        var dir = mount.Directory;
        File.WriteAllText(Path.Combine(dir, "new.txt"), "new\n");
        Fuse.RunOk(dir, "mv", "new.txt", "old.txt");
        Assert.Equal("new\n", File.ReadAllText(Path.Combine(dir, "old.txt")));
        Assert.False(File.Exists(Path.Combine(dir, "new.txt")));
        Fuse.RunOk(dir, "ln", "-s", "src/main.c", "link");
        Assert.Equal("src/main.c", Fuse.RunOk(dir, "readlink", "link").Trim());
        Assert.Equal("int main(void) { return 0; }\n", File.ReadAllText(Path.Combine(dir, "link")));
        Fuse.RunOk(dir, "mkdir", "build");
        File.WriteAllText(Path.Combine(dir, "build/out.o"), "o");
        File.Delete(Path.Combine(dir, "notes.txt"));
        await mount.UnmountAsync();

        var delta = t.Store.Diff(pin, "/forks/a").Select(d => $"{d.Kind} {d.Path}").Order(StringComparer.Ordinal);
        Assert.Equal(["Added /build", "Added /build/out.o", "Added /link", "Modified /old.txt", "Removed /notes.txt"], delta);
        Assert.Equal("src/main.c", fork.Stat("/link").LinkTarget);
        Assert.Equal("new\n", System.Text.Encoding.UTF8.GetString(await fork.ReadAllBytesAsync("/old.txt")));
    }
}
