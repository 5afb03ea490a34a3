namespace NoKV.Benchmarks.Compare;

/// <summary>What agent sandboxes use today: one git worktree per agent, git status to see changes.</summary>
internal sealed class GitWorktreePeer(string root) : IPeer
{
    private string Repo => Path.Combine(root, "base");

    public string Name => "git worktree";

    public void Setup(string source)
    {
        Shell.Run("/", "cp", "-r", source, Repo);
        Git(Repo, "init", "-q");
        Git(Repo, "add", "-A");
        Git(Repo, "commit", "-q", "-m", "base");
    }

    public void Fork(int i) => Git(Repo, "worktree", "add", "-q", "--detach", Tree(i));

    public int WriteAndListChanges(int i, IReadOnlyList<(string Path, byte[] Data)> writes)
    {
        foreach (var (path, data) in writes) File.WriteAllBytes(Tree(i) + path, data);
        return Git(Tree(i), "status", "--porcelain").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    public void Rollback(int i)
    {
        Git(Tree(i), "checkout", "-q", "--", ".");
        Git(Tree(i), "clean", "-fdq");
    }

    public long ForkDiskBytes() => Shell.DiskUsage(Directory.EnumerateDirectories(root, "wt-*").Append(Path.Combine(Repo, ".git", "worktrees")));

    private string Tree(int i) => Path.Combine(root, $"wt-{i}");

    private static string Git(string dir, params string[] args) =>
        Shell.Run(dir, "git", ["-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "gc.auto=0", .. args]);

    public void Dispose()
    {
    }
}
