using System.Globalization;

namespace NoKV.Benchmarks.Compare;

/// <summary>Prints the comparison table and the bars.</summary>
internal static class Report
{
    public const string Fork = "fork (per fork)";
    public const string Change = "write 10 + list changes";
    public const string Workflow = "fork + write + list";
    public const string Rollback = "rollback (per fork)";
    public const string Disk = "disk used by all forks";
    public const string Write = "sequential durable write";
    public const string ColdRead = "sequential read (cold)";
    public const string Read = "sequential read (warm)";

    public static void Print(List<Measurement> results, int[] sizes, int forks, int ioMib)
    {
        Console.WriteLine();
        Console.WriteLine($"{"case",-26}{"files",8}  {"peer",-18}{"median",12}{"min",12}{"max",12}   nokv vs peer");
        foreach (var group in results.GroupBy(r => (r.Case, r.Files)))
        {
            var nokv = group.Single(r => r.Peer == "nokv");
            foreach (var r in group)
            {
                var ratio = r.Peer == "nokv" ? "" : Ratio(r, nokv);
                Console.WriteLine($"{r.Case,-26}{(r.Files == 0 ? "-" : r.Files.ToString("N0", CultureInfo.InvariantCulture)),8}  {r.Peer,-18}{Fmt(r.Median, r.Unit),12}{Fmt(r.Min, r.Unit),12}{Fmt(r.Max, r.Unit),12}   {ratio}");
            }
        }

        Console.WriteLine();
        Console.WriteLine("bars");
        var largest = sizes.Max();
        double Total(string peer, int files) => results.Single(r => r.Case == Workflow && r.Peer == peer && r.Files == files).Samples.Sum();
        var speedup = Total("git worktree", largest) / Total("nokv", largest);
        Bar($"fork+diff workflow, {forks} forks of {largest:N0} files: >= 50x faster than git worktree", speedup >= 50, $"{speedup:F0}x");
        if (sizes.Length > 1)
        {
            double ForkMedian(int files) => results.Single(r => r.Case == Fork && r.Peer == "nokv" && r.Files == files).Median;
            var flat = ForkMedian(largest) / ForkMedian(sizes.Min());
            Bar($"clone time flat: time({largest:N0}) / time({sizes.Min():N0}) < 2", flat < 2, $"{flat:F2}");
        }
        var write = results.Single(r => r.Case == Write && r.Peer == "nokv").Median / results.Single(r => r.Case == Write && r.Peer == "dd conv=fsync").Median;
        Bar($"sequential durable write >= 70% of dd conv=fsync ({ioMib} MiB)", write >= 0.7, $"{write:P0}");
        double ReadRatio(string @case) => results.Single(r => r.Case == @case && r.Peer == "nokv").Median / results.Single(r => r.Case == @case && r.Peer == "FileStream").Median;
        Bar($"sequential read from disk (cold) >= 70% of a raw file read ({ioMib} MiB)", ReadRatio(ColdRead) >= 0.7, $"{ReadRatio(ColdRead):P0}");
        Console.WriteLine($"  [info] warm (page-cache) read: {ReadRatio(Read):P0} of a raw file read; memory bandwidth, with a checksum pass per chunk");
    }

    private static string Ratio(Measurement peer, Measurement nokv) => peer.Unit switch
    {
        "ms" => $"{peer.Median / nokv.Median:F1}x faster",
        "MiB" => $"{peer.Median / Math.Max(nokv.Median, 0.001):F1}x less space",
        _ => $"{nokv.Median / peer.Median:P0} of peer",
    };

    private static string Fmt(double value, string unit) => unit switch
    {
        "ms" => value < 10 ? $"{value:F3} ms" : $"{value:F1} ms",
        "MiB" => $"{value:F1} MiB",
        _ => $"{value:F0} MiB/s",
    };

    private static void Bar(string what, bool met, string value) => Console.WriteLine($"  [{(met ? "met" : "MISSED")}] {what}: {value}");
}
