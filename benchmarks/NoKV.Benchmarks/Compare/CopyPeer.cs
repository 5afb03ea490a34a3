namespace NoKV.Benchmarks.Compare;

/// <summary>The simplest sandbox: cp -r per agent, diff -rq to see changes, a fresh copy to roll back.</summary>
internal sealed class CopyPeer(string root) : IPeer
{
    private string Base => Path.Combine(root, "base");

    public string Name => "cp -r";

    public void Setup(string source) => Shell.Run("/", "cp", "-r", source, Base);

    public void Fork(int i) => Shell.Run("/", "cp", "-r", Base, Copy(i));

    public int WriteAndListChanges(int i, IReadOnlyList<(string Path, byte[] Data)> writes)
    {
        foreach (var (path, data) in writes) File.WriteAllBytes(Copy(i) + path, data);
        // diff exits 1 when the trees differ.
        return Shell.Run("/", "diff", ["-rq", Base, Copy(i)], [0, 1]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    public void Rollback(int i)
    {
        Directory.Delete(Copy(i), recursive: true);
        Shell.Run("/", "cp", "-r", Base, Copy(i));
    }

    public long ForkDiskBytes() => Shell.DiskUsage(Directory.EnumerateDirectories(root, "copy-*"));

    private string Copy(int i) => Path.Combine(root, $"copy-{i}");

    public void Dispose()
    {
    }
}
