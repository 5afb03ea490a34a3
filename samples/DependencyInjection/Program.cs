// NoKV in a generic host: AddNoKV registers one WorkspaceStore for the whole application, and
// a background service (an "agent pool") takes it from the container to fork a workspace per
// task, let each agent work, and report what changed. The host stops when the pool is done.
//
//   dotnet run --project samples/DependencyInjection [-- --store DIR]
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var store = args.SkipWhile(a => a != "--store").Skip(1).FirstOrDefault()
    ?? Path.Combine(Path.GetTempPath(), "nokv-di-" + Guid.NewGuid().ToString("N")[..8]);

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddNoKV(o => o.UseLocalBlocks(store));
builder.Services.AddHostedService<AgentPool>();
using var host = builder.Build();
await host.RunAsync();
if (!args.Contains("--store")) Directory.Delete(store, recursive: true);
