using System.CommandLine;
using NoKV.Server;

namespace NoKV.Cli.Commands;

/// <summary>
/// nokv serve: owns the store and serves it on {store}/nokv.sock (mode 0600) in the foreground
/// until SIGINT/SIGTERM, so other nokv commands (and NoKV.Client) work on it meanwhile; then
/// calls in flight are cancelled (an unfinished write publishes nothing), the socket is removed,
/// the store is flushed and closed, and the exit code is 0.
/// </summary>
internal static class ServeCommand
{
    public static Command Build()
    {
        var command = new Command("serve", "Own the store and serve it to other processes on STORE/nokv.sock until stopped (Ctrl-C, SIGTERM)");
        command.SetAction((parse, cancellationToken) => RunAsync(new CliContext(parse), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var store = await context.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (store.ConfigureAwait(false))
        {
            var server = await NoKVServer.StartAsync(store, new NoKVServerOptions(), cancellationToken).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                Console.Out.WriteLine($"serving {store.Directory} at {server.SocketPath}");
                Console.Out.Flush();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // SIGINT or SIGTERM: stop serving, then close the store cleanly.
                }
            }
            await store.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        Console.Out.WriteLine("stopped serving");
        return ExitCodes.Success;
    }
}
