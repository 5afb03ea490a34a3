using FsCheck;
using FsCheck.Fluent;
using NoKV.Tests.Faults;
using Xunit.Abstractions;

namespace NoKV.Tests;

/// <summary>
/// Random operation sequences under random fault schedules (Faults/FaultRunner.cs): block-store
/// calls and metadata commits fail once, a few times or from then on, before or after doing their
/// work. NOKV_FAULT_COUNT sets how many scenarios (default 200 local, 40 on S3),
/// NOKV_FAULT_LENGTH their maximum length (default 30), NOKV_FAULT_SEED="seed,gamma" replays one.
/// </summary>
public sealed class FaultScheduleTests(ITestOutputHelper output)
{
    [Fact]
    public void Under_random_faults_every_file_reads_its_old_or_new_bytes_and_nothing_leaks_on_local_blocks() =>
        Check(dir => new LocalBlockStore(Path.Combine(dir, "blocks")), defaultCount: 200);

    [S3Fact]
    public void Under_random_faults_every_file_reads_its_old_or_new_bytes_and_nothing_leaks_on_s3() =>
        Check(_ => S3Server.NewStore(), defaultCount: 40);

    private void Check(Func<string, IBlockStore> blocks, int defaultCount)
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOKV_FAULT_COUNT"), out var c) ? c : defaultCount;
        var length = int.TryParse(Environment.GetEnvironmentVariable("NOKV_FAULT_LENGTH"), out var l) ? l : 30;
        var config = Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true);
        if (Environment.GetEnvironmentVariable("NOKV_FAULT_SEED") is { } seed)
        {
            var parts = seed.Split(',');
            config = config.WithReplay(ulong.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        int scenarios = 0, faults = 0, succeeded = 0, refused = 0, faulted = 0, landed = 0;
        long steps = 0;
        Prop.ForAll(FaultGen.Scenarios(length), scenario =>
        {
            var injector = new FaultInjector(scenario.Faults);
            using var runner = new FaultRunner(injector, blocks);
            runner.Run(scenario.Ops);
            scenarios++;
            steps += scenario.Ops.Length;
            faults += injector.Fired;
            succeeded += runner.Succeeded;
            refused += runner.Refused;
            faulted += runner.Faulted;
            landed += runner.FaultedButLanded;
        }).Check(config);
        output.WriteLine($"{scenarios} scenarios, {steps} steps: {succeeded} succeeded, {refused} refused, {faulted} hit one of {faults} injected faults ({landed} of those landed anyway); every invariant held");
    }
}
