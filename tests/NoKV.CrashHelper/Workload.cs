namespace NoKV.Tests;

/// <summary>The workload's data, shared with the test that checks it.</summary>
public static class Workload
{
    public const int ChunkSize = 4096;
    public static readonly int[] Sizes = [0, 100, ChunkSize, 3 * ChunkSize + 7, 12 * ChunkSize + 1];

    public static byte[] Content(string run, int step, int size)
    {
        var data = new byte[size];
        var seed = 17;
        foreach (var c in run) seed = unchecked(seed * 31 + c); // stable across processes, unlike string.GetHashCode
        new Random(unchecked(seed * 7919 + step)).NextBytes(data);
        // A recognisable header, so a torn mix of two versions cannot pass as either.
        var header = System.Text.Encoding.ASCII.GetBytes($"{run}:{step}:");
        header.AsSpan(0, Math.Min(header.Length, size)).CopyTo(data);
        return data;
    }
}
