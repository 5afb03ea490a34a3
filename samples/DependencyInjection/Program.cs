// NoKV in a generic host: AddNoKV registers one WorkspaceStore for the whole application, with
// its settings bound from configuration (the "NoKV" section; here NoKV:Directory is set from the
// command line), validated when the host starts. A background service (an "agent pool") takes
// the store from the container to fork a workspace per task, let each agent work, and report
// what changed. OpenTelemetry exports NoKV's spans (clone, diff, GC, ...) and metrics (operation
// durations, blocks and bytes, layers) to the console. The host stops when the pool is done.
//
//   dotnet run --project samples/DependencyInjection [-- --store DIR]
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NoKV;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

var store = args.SkipWhile(a => a != "--store").Skip(1).FirstOrDefault()
    ?? Path.Combine(Path.GetTempPath(), "nokv-di-" + Guid.NewGuid().ToString("N")[..8]);

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration["NoKV:Directory"] = store; // or in appsettings.json: { "NoKV": { "Directory": "...", "ChunkSize": 4194304 } }
builder.Services.AddNoKV(builder.Configuration.GetSection(NoKVOptions.SectionName));
builder.Services.AddHealthChecks().AddCheck<NoKVHealthCheck>("nokv");
builder.Services.AddOpenTelemetry()
    .ConfigureResource(resource => resource.AddService("nokv-agent-pool"))
    .WithTracing(tracing => tracing.AddSource(NoKVDiagnostics.ActivitySourceName).AddConsoleExporter())
    .WithMetrics(metrics => metrics.AddMeter(NoKVDiagnostics.MeterName).AddConsoleExporter());
builder.Services.AddHostedService<AgentPool>();
using (var host = builder.Build())
{
    await host.RunAsync(); // disposing the host flushes the metrics to the console
}
if (!args.Contains("--store")) Directory.Delete(store, recursive: true);
