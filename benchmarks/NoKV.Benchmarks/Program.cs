// NoKV benchmarks.
//   dotnet run -c Release --project benchmarks/NoKV.Benchmarks -- bars [--large N] [--reps N]
//   dotnet run -c Release --project benchmarks/NoKV.Benchmarks -- compare [--files N[,N...]] [--forks K] [--io-mib M] [--chunk-mib C] [--parallel-uploads P] [--out DIR]
//   dotnet run -c Release --project benchmarks/NoKV.Benchmarks -- smallwrites [--seconds S] [--forks K]
//   dotnet run -c Release --project benchmarks/NoKV.Benchmarks -- ingest [--files N] [--small N] [--rounds R]
//   dotnet run -c Release --project benchmarks/NoKV.Benchmarks -- bigio [--mib M] [--rounds R] [--chunk-mib C] [--peak-mib P] [--diagnose 1] [--dir DIR]
//   dotnet run -c Release --project benchmarks/NoKV.Benchmarks -- service [--files N] [--mib M] [--reps N]
//   dotnet run -c Release --project benchmarks/NoKV.Benchmarks -- mount [--files N] [--c-files N] [--mib M] [--rounds R] [--dir DIR]
//   dotnet run -c Release --project benchmarks/NoKV.Benchmarks -- bdn [BenchmarkDotNet arguments, e.g. --filter *Clone*]
using BenchmarkDotNet.Running;
using NoKV.Benchmarks;

return args.FirstOrDefault() switch
{
    "bars" => await BarsRunner.RunAsync(new Args(args[1..])),
    "compare" => await NoKV.Benchmarks.Compare.CompareRunner.RunAsync(new Args(args[1..])),
    "smallwrites" => await SmallWritesRunner.RunAsync(new Args(args[1..])),
    "ingest" => await IngestRunner.RunAsync(new Args(args[1..])),
    "bigio" => await BigIoRunner.RunAsync(new Args(args[1..])),
    "service" => await ServiceRunner.RunAsync(new Args(args[1..])),
    "mount" => await MountRunner.RunAsync(new Args(args[1..])),
    "bdn" => RunBenchmarkDotNet(args[1..]),
    _ => Usage(),
};

static int RunBenchmarkDotNet(string[] rest)
{
    BenchmarkSwitcher.FromAssembly(typeof(BarsRunner).Assembly).Run(rest);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: NoKV.Benchmarks bars|compare|smallwrites|ingest|bigio|service|mount|bdn [options] (see Program.cs)");
    return 2;
}
