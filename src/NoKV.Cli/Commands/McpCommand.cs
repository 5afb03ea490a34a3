using System.CommandLine;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using NoKV.Cli.Mcp;

namespace NoKV.Cli.Commands;

/// <summary>
/// nokv mcp [--forks /forks]: a Model Context Protocol server on stdin/stdout, so agents outside
/// .NET (Claude Code, Codex, Cursor, …) fork workspaces and work in them: fork, list_forks, the
/// file tools of NoKV.AI scoped to a named fork, promote, drop, and mount where FUSE can run.
/// stdout carries only the protocol; the one status line goes to stderr. It runs until the client
/// closes stdin (or SIGINT/SIGTERM), then closes the store.
/// </summary>
internal static class McpCommand
{
    public static Command Build()
    {
        var forksOption = new Option<string>("--forks") { Description = "The store path forks are created under", DefaultValueFactory = _ => "/forks" };
        var command = new Command("mcp", "Serve forks to AI agents over the Model Context Protocol (stdio)");
        command.Add(forksOption);
        command.SetAction((parse, cancellationToken) => RunAsync(new CliContext(parse), parse.GetValue(forksOption)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string forksPrefix, CancellationToken cancellationToken)
    {
        var prefix = forksPrefix.TrimEnd('/');
        if (!prefix.StartsWith('/') || prefix.Length < 2) throw new UsageException($"--forks must be a store path such as /forks, not '{forksPrefix}'.");

        // The store is opened here, so this process must be its only user. Going through a running
        // owner (issue 17's service) means another IForkHost, chosen here; the server is the same.
        var store = await context.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (store.ConfigureAwait(false))
        {
            var host = new LocalForkHost(store);
            await using (host.ConfigureAwait(false))
            {
                await ServeAsync(host, prefix, context.StoreDirectory, cancellationToken).ConfigureAwait(false);
            }
        }
        return ExitCodes.Success;
    }

    private static async Task ServeAsync(IForkHost host, string prefix, string storeDirectory, CancellationToken cancellationToken)
    {
        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = "nokv", Version = typeof(McpCommand).Assembly.GetName().Version?.ToString(3) ?? "0" },
            ServerInstructions = $"Copy-on-write forks of NoKV workspaces. Call fork(base, name) to get your own fork under {prefix}, then use the file tools with fork=name. " +
                "snapshot before risky changes and rollback if they fail; diff shows what you changed against the base. promote merges a finished fork into its base; drop discards it.",
            ToolCollection = [],
        };
        foreach (var tool in ForkServerTools.Create(host, new ForkSessions(host, prefix))) options.ToolCollection.Add(tool);

        await Console.Error.WriteLineAsync($"nokv mcp: serving {storeDirectory} (forks under {prefix}) on stdio").ConfigureAwait(false);
        var transport = new StdioServerTransport(options, loggerFactory: null);
        await using (transport.ConfigureAwait(false))
        {
            var server = McpServer.Create(transport, options);
            await using (server.ConfigureAwait(false))
            {
                await server.RunAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
