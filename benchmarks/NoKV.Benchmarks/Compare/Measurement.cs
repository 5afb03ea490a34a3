namespace NoKV.Benchmarks.Compare;

/// <summary>The samples of one case for one peer at one tree size.</summary>
internal sealed record Measurement(string Case, string Peer, int Files, string Unit, double[] Samples)
{
    public double Median => Sorted[Sorted.Length / 2];
    public double Min => Sorted[0];
    public double Max => Sorted[^1];
    private double[] Sorted => [.. Samples.Order()];
}
