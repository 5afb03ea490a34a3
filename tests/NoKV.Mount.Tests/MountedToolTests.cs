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

    [FuseFact]
    public async Task Tar_extracts_into_the_mount_and_tars_back_the_same_tree()
    {
        var (t, _, _, mount) = await MountedForkAsync();
        await using var _ = t;
        // A source tree on the local disk, with modes, a link and an empty directory.
        var source = Directory.CreateDirectory(Path.Combine(t.Root, "source")).FullName;
        Fuse.RunOk(source, "sh", "-c",
            "mkdir -p a/b empty && echo one > a/one && head -c 300000 /dev/urandom > a/b/blob && chmod 0750 a/b && chmod 0600 a/one && ln -s b/blob a/link");
        var archive = Path.Combine(t.Root, "in.tar");
        Fuse.RunOk(source, "tar", "-cf", archive, "--sort=name", "--mtime=2020-01-01", "--owner=0", "--group=0", "--numeric-owner", ".");
        var into = Path.Combine(mount.Directory, "x");
        Directory.CreateDirectory(into);
        Fuse.RunOk(into, "tar", "-xpf", archive);
        var back = Path.Combine(t.Root, "back.tar");
        Fuse.RunOk(into, "tar", "-cf", back, "--sort=name", "--mtime=2020-01-01", "--owner=0", "--group=0", "--numeric-owner", ".");
        Assert.Equal(File.ReadAllBytes(archive), File.ReadAllBytes(back));
    }

    [FuseFact]
    public async Task Sqlite_commits_transactions_in_the_mount_and_the_database_reads_back_from_the_store()
    {
        var (t, fork, _, mount) = await MountedForkAsync();
        await using var _ = t;
        var code = """
import sqlite3
db = sqlite3.connect('app.db')
db.execute('create table kv (k integer primary key, v text)')
for i in range(50):
    with db:
        db.execute('insert into kv values (?, ?)', (i, 'value %d' % i * 20))
with db:
    db.execute('update kv set v = ? where k % 7 = 0', ('changed',))
db.close()
db = sqlite3.connect('app.db')
print(db.execute('select count(*), sum(v = "changed") from kv').fetchone(), db.execute('pragma integrity_check').fetchone()[0])
""";
        Assert.Equal("(50, 8) ok", Fuse.RunOk(mount.Directory, "python3", "-c", code).Trim());
        await mount.UnmountAsync();
        // The database file in the workspace is the one sqlite wrote: a copy on local disk opens clean.
        var copy = Path.Combine(t.Root, "copy.db");
        await File.WriteAllBytesAsync(copy, await fork.ReadAllBytesAsync("/app.db"));
        var check = "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\nprint(db.execute('pragma integrity_check').fetchone()[0], db.execute('select count(*) from kv').fetchone()[0])";
        Assert.Equal("ok 50", Fuse.RunOk(t.Root, "python3", "-c", check, copy).Trim());
    }
}
