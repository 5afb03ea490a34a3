using FsCheck;
using FsCheck.Fluent;
using NoKV.Tests.Model;
using Xunit.Abstractions;

namespace NoKV.Tests;

/// <summary>
/// Random operation sequences against NoKV and a reference model (see Model/ModelRunner.cs).
/// NOKV_PROPERTY_COUNT sets how many sequences (default 150), NOKV_PROPERTY_LENGTH their
/// maximum length (default 40), and NOKV_PROPERTY_SEED="seed,gamma" replays a run. A failure
/// is shrunk to a minimal sequence, which FsCheck prints with the seed to replay it.
/// </summary>
public sealed class ModelBasedTests(ITestOutputHelper output)
{
    [Fact]
    public void Random_operation_sequences_match_the_reference_model() => Check(Durability.PerOperation, defaultCount: 150);

    /// <summary>
    /// The same sequences with deferred durability: every operation is published when it returns
    /// (the model checks each result against the store at once), while commits are batched; each
    /// reopen commits the batch first, so nothing may differ either.
    /// </summary>
    [Fact]
    public void Random_operation_sequences_match_the_reference_model_with_deferred_durability() => Check(Durability.Deferred, defaultCount: 60);

    private void Check(Durability durability, int defaultCount)
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOKV_PROPERTY_COUNT"), out var c) ? c : defaultCount;
        var length = int.TryParse(Environment.GetEnvironmentVariable("NOKV_PROPERTY_LENGTH"), out var l) ? l : 40;
        var config = Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true);
        if (Environment.GetEnvironmentVariable("NOKV_PROPERTY_SEED") is { } seed)
        {
            var parts = seed.Split(',');
            config = config.WithReplay(ulong.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        var sequences = 0;
        var steps = 0L;
        var succeeded = 0L;
        var refused = 0L;
        Prop.ForAll(ModelGen.Scenarios(length), ops =>
        {
            using var runner = new ModelRunner(new TempStore(inlineThreshold: TempStore.ProductInline, durability: durability));
            runner.Run(ops);
            sequences++;
            steps += ops.Length;
            succeeded += runner.Succeeded;
            refused += runner.Refused;
        }).Check(config);
        output.WriteLine($"{sequences} sequences, {steps} steps ({succeeded} succeeded, {refused} refused with the predicted exception), all invariants held");
    }
}
