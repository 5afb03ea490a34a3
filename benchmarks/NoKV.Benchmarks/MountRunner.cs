using System.Diagnostics;
using System.Globalization;
using System.Text;
using NoKV.Benchmarks.Compare;

namespace NoKV.Benchmarks;

/// <summary>
/// The mount (issue 16) against the native directory (ext4, same disk) and bindfs (a C FUSE
/// passthrough: the cost of FUSE itself), with real tools on a generated source tree: mount + first
/// ls of a fresh fork, tar -x into the mount, git status (warm), grep -r (warm and cold), a C build
/// (make -j2 of many small .c files), and a sequential write + fsync and read with dd. Each row
/// prints the time, the ratio to native and to bindfs, and the issue's bar.
/// </summary>
/// <remarks>
/// Needs Linux, /dev/fuse and root (the mount uses mount(2)); without them the runner says why
/// and exits 0. Without bindfs (Debian package <c>bindfs</c>) its column is skipped, saying so.
/// Cold rows drop the page cache (<c>echo 3 &gt; /proc/sys/vm/drop_caches</c>, root).
/// </remarks>
internal static class MountRunner
{
    public static async Task<int> RunAsync(Args args)
    {
        var files = args.Int("--files", 10_000);
        var cFiles = args.Int("--c-files", 200);
        var mib = args.Int("--mib", 1024);
        s_rounds = args.Int("--rounds", 1);
        var root = args.Value("--dir") ?? Path.Combine(Path.GetTempPath(), "nokv-mount-bench-" + Guid.NewGuid().ToString("N")[..8]);
        if (SkipReason() is { } reason)
        {
            Console.WriteLine($"mount runner skipped: {reason}");
            return 0;
        }
        Directory.CreateDirectory(root);
        var bindfs = Which("bindfs");
        var canDrop = CanDropCaches();
        var options = new MountOptions();
        Console.WriteLine($"NoKV mount runner: {files:N0}-file tree ({cFiles} .c files), {mib} MiB sequential I/O, {Environment.ProcessorCount} cores, {root}");
        Console.WriteLine($"load: {Shell.Run("/", "uptime").Trim()}");
        Console.WriteLine($"mount options: entry/negative/attr timeouts {options.EntryTimeout.TotalSeconds:0}/{options.NegativeEntryTimeout.TotalSeconds:0}/{options.AttributeTimeout.TotalSeconds:0} s, keep_cache+cache_dir {(options.KeepCache ? "on" : "off")}, readdirplus, async read, 1 MiB max_write, no writeback cache; store: defaults (durable local blocks), the mount's deferred metadata commits");
        Console.WriteLine(bindfs is null ? "bindfs: not installed (apt-get install -y bindfs); its column is skipped" : "bindfs: default options");
        Console.WriteLine(canDrop ? "cold rows: page cache dropped before each" : "cold rows: not possible (drop_caches refused: not root?); skipped");
        var rows = new List<Row>();
        try
        {
            var source = Path.Combine(root, "source");
            var tarball = Path.Combine(root, "source.tar");
            WriteSourceTree(source, files, cFiles);
            Shell.Run(source, "tar", "-cf", tarball, ".");
            var bigSource = Path.Combine(root, "big-source");
            WriteRandomFile(bigSource, mib);

            await using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = Path.Combine(root, "store") });
            await store.CreateWorkspace("/base").ImportAsync(source);
            store.CreateWorkspace("/work");

            var mountRow = new Row("mount + first ls of a fresh fork", "< 10 ms", Kind.Absolute);
            for (var i = 0; i < 5; i++) mountRow.NoKV = Math.Min(mountRow.NoKV ?? double.MaxValue, await MountAndListAsync(store, root, i));
            if (bindfs is not null) mountRow.Bindfs = TimeMs(() => { var dir = BindfsMount(root, source, "first-ls"); Directory.GetFileSystemEntries(dir); Unmount(dir); });
            rows.Add(mountRow);

            var nativeDir = Directory.CreateDirectory(Path.Combine(root, "native")).FullName;
            var nokvDir = Directory.CreateDirectory(Path.Combine(root, "mnt-nokv")).FullName;
            await using var mount = await store.MountAsync("/work", nokvDir, options);
            string? bindDir = null;
            if (bindfs is not null) bindDir = BindfsMount(root, Directory.CreateDirectory(Path.Combine(root, "bindfs-back")).FullName, "bindfs");
            try
            {
                var peers = new List<(string Name, string Dir)> { ("native", nativeDir), ("nokv", nokvDir) };
                if (bindDir is not null) peers.Add(("bindfs", bindDir));
                Measure(rows, peers, "tar -x", "≤ 2x native", Kind.Time, dir => Shell.Run(dir, "tar", "-xf", tarball));
                foreach (var (_, dir) in peers) Shell.Run(dir, "git", "status", "--porcelain"); // refreshes the index after the extraction
                Measure(rows, peers, "git status (warm)", "≤ 1.5x native", Kind.Time, dir => Shell.Run(dir, "git", "status", "--porcelain"));
                Measure(rows, peers, "grep -r (warm)", "≤ 1.5x native", Kind.Time, dir => Shell.Run(dir, "grep", ["-r", "-c", "needle", "."], [0, 1]), warmUp: true);
                if (canDrop) Measure(rows, peers, "grep -r (cold)", "≤ 1.5x native", Kind.Time, dir => Shell.Run(dir, "grep", ["-r", "-c", "needle", "."], [0, 1]), dropFirst: true);
                Measure(rows, peers, $"C build ({cFiles} files, make -j2)", "≤ 2x native", Kind.Time, dir => Shell.Run(Path.Combine(dir, "csrc"), "make", "-B", "-j2", "-s"));
                Measure(rows, peers, $"sequential write {mib} MiB + fsync (dd)", "≥ 70% of native", Kind.Throughput, dir =>
                    Shell.Run(dir, "dd", $"if={bigSource}", "of=big.bin", "bs=4M", "conv=fsync", "status=none"), before: () => Shell.Run("/", "dd", $"if={bigSource}", "of=/dev/null", "bs=4M", "status=none"), mib: mib);
                Measure(rows, peers, $"sequential read {mib} MiB (dd, cold)", "≥ 70% of native", Kind.Throughput, dir =>
                    Shell.Run(dir, "dd", "if=big.bin", "of=/dev/null", "bs=4M", "status=none"), dropFirst: canDrop, mib: mib);
            }
            finally
            {
                if (bindDir is not null) Unmount(bindDir);
            }
        }
        finally
        {
            Print(rows);
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException e)
            {
                Console.WriteLine($"(cleanup of {root} incomplete: {e.Message})");
            }
        }
        return 0;
    }

    /// <summary>Timed runs per peer and row (the median is shown); the peers take turns within a round.</summary>
    private static int s_rounds = 1;

    private enum Kind { Time, Throughput, Absolute }

    private sealed class Row(string name, string bar, Kind kind)
    {
        public string Name { get; } = name;
        public string Bar { get; } = bar;
        public Kind Kind { get; } = kind;
        public double? Native { get; set; }
        public double? NoKV { get; set; }
        public double? Bindfs { get; set; }
        public int Mib { get; set; }
    }

    private static void Measure(List<Row> rows, List<(string Name, string Dir)> peers, string name, string bar, Kind kind, Action<string> work,
        bool warmUp = false, bool dropFirst = false, Action? before = null, int mib = 0)
    {
        var row = new Row(name, bar, kind) { Mib = mib };
        var samples = peers.ToDictionary(p => p.Name, _ => new List<double>());
        for (var round = 0; round < s_rounds; round++)
        {
            for (var k = 0; k < peers.Count; k++)
            {
                var (peer, dir) = peers[(k + round) % peers.Count];
                if (warmUp) work(dir);
                before?.Invoke();
                Shell.Run("/", "sync");
                if (dropFirst) DropCaches();
                samples[peer].Add(TimeMs(() => work(dir)));
            }
        }
        foreach (var (peer, times) in samples)
        {
            times.Sort();
            var median = times[times.Count / 2];
            switch (peer)
            {
                case "native": row.Native = median; break;
                case "nokv": row.NoKV = median; break;
                default: row.Bindfs = median; break;
            }
        }
        rows.Add(row);
        Console.WriteLine($"  {name}: native {Ms(row.Native)}, nokv {Ms(row.NoKV)}, bindfs {Ms(row.Bindfs)}");
    }

    private static async Task<double> MountAndListAsync(WorkspaceStore store, string root, int i)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, $"fork-mnt-{i}")).FullName;
        var watch = Stopwatch.StartNew();
        store.Clone("/base", $"/forks/f{i}");
        var mount = await store.MountAsync($"/forks/f{i}", dir);
        var entries = Directory.GetFileSystemEntries(dir).Length;
        var ms = watch.Elapsed.TotalMilliseconds;
        await mount.UnmountAsync();
        if (entries == 0) throw new InvalidOperationException("the fork's mount listed nothing");
        return ms;
    }

    private static void Print(List<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| workload | native | NoKV mount | bindfs | NoKV vs native | NoKV vs bindfs | bar | met |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var row in rows)
        {
            string vsNative, vsBindfs, met;
            if (row.Kind == Kind.Absolute)
            {
                vsNative = "";
                vsBindfs = Ratio(row.NoKV, row.Bindfs);
                met = row.NoKV < 10 ? "yes" : "no";
            }
            else if (row.Kind == Kind.Throughput)
            {
                vsNative = row.NoKV is { } n && row.Native is { } b ? Percent(b / n) : "";
                vsBindfs = Ratio(row.NoKV, row.Bindfs);
                met = row.NoKV is { } n2 && row.Native is { } b2 && b2 / n2 >= 0.7 ? "yes" : "no";
            }
            else
            {
                vsNative = Ratio(row.NoKV, row.Native);
                vsBindfs = Ratio(row.NoKV, row.Bindfs);
                var limit = row.Bar.StartsWith("≤ 2x", StringComparison.Ordinal) ? 2.0 : 1.5;
                met = row.NoKV / row.Native <= limit ? "yes" : "no";
            }
            if (row.Bindfs is { } bf && row.NoKV is { } nk) met += nk < bf ? ", faster than bindfs" : ", NOT faster than bindfs";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Name} | {Cell(row, row.Native)} | {Cell(row, row.NoKV)} | {Cell(row, row.Bindfs)} | {vsNative} | {vsBindfs} | {row.Bar} | {met} |");
        }
        Console.WriteLine();
        Console.Write(text);
    }

    private static string Cell(Row row, double? ms) => ms is not { } v ? "—"
        : row.Kind == Kind.Throughput ? string.Create(CultureInfo.InvariantCulture, $"{Ms(v)} ({row.Mib / (v / 1000):N0} MiB/s)") : Ms(v);

    private static string Ms(double? ms) => ms is not { } v ? "—" : v >= 1000 ? string.Create(CultureInfo.InvariantCulture, $"{v / 1000:0.00} s") : string.Create(CultureInfo.InvariantCulture, $"{v:0.0} ms");

    private static string Ratio(double? a, double? b) => a is { } x && b is { } y && y > 0 ? string.Create(CultureInfo.InvariantCulture, $"{x / y:0.00}x") : "";

    private static string Percent(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0}%");

    private static double TimeMs(Action work)
    {
        var watch = Stopwatch.StartNew();
        work();
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// A source tree: <paramref name="files"/> files in all, of which <paramref name="cFiles"/> C
    /// sources with a Makefile in csrc/, the rest text of about 1 KiB in 10 x 100 directories,
    /// committed to a git repository (so git status has an index and objects to compare).
    /// </summary>
    private static void WriteSourceTree(string source, int files, int cFiles)
    {
        var line = "the quick brown fox jumps over the lazy dog while the compiler waits for input\n";
        var text = string.Concat(Enumerable.Repeat(line, 13));
        for (var i = 0; i < files - cFiles - 1; i++)
        {
            var path = Path.Combine(source, TreeGenerator.PathOf(i)[1..]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, i % 100 == 0 ? text + "needle\n" : text);
        }
        var csrc = Directory.CreateDirectory(Path.Combine(source, "csrc")).FullName;
        var objects = new StringBuilder();
        for (var i = 0; i < cFiles; i++)
        {
            File.WriteAllText(Path.Combine(csrc, $"unit{i}.c"), string.Create(CultureInfo.InvariantCulture,
                $"#include <stdio.h>\n#include <string.h>\nint unit{i}(const char *s) {{ int n = 0; for (size_t k = 0; k < strlen(s); k++) n += s[k] * {i + 1}; printf(\"%d\\n\", n); return n; }}\n"));
            objects.Append(CultureInfo.InvariantCulture, $" unit{i}.o");
        }
        File.WriteAllText(Path.Combine(csrc, "Makefile"), $"all:{objects}\n%.o: %.c\n\tcc -O1 -c $< -o $@\n");
        Shell.Run(source, "git", "init", "-q");
        Shell.Run(source, "git", "add", "-A");
        Shell.Run(source, "git", "-c", "user.name=bench", "-c", "user.email=bench@nokv.invalid", "commit", "-q", "-m", "tree");
    }

    private static void WriteRandomFile(string path, int mib)
    {
        var buffer = new byte[1024 * 1024];
        new Random(5).NextBytes(buffer);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        for (var i = 0; i < mib; i++) file.Write(buffer);
    }

    private static string BindfsMount(string root, string back, string name)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, "mnt-" + name)).FullName;
        Shell.Run("/", "bindfs", back, dir);
        return dir;
    }

    private static void Unmount(string dir) => Shell.Run("/", "umount", [dir], [0, 1, 32]);

    private static string? SkipReason()
    {
        if (!OperatingSystem.IsLinux()) return "FUSE mounts need Linux.";
        if (!File.Exists("/dev/fuse")) return "no /dev/fuse here.";
        if (Environment.UserName != "root") return "mounting needs root for now.";
        return null;
    }

    private static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    private static bool CanDropCaches()
    {
        try
        {
            DropCaches();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void DropCaches()
    {
        Shell.Run("/", "sync");
        File.WriteAllText("/proc/sys/vm/drop_caches", "3");
    }
}
