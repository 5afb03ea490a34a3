using System.CommandLine;
using NoKV.Cli.Sessions;

namespace NoKV.Cli.Commands;

/// <summary>Builds commands whose actions get the shared context; errors propagate to Program's one handler.</summary>
internal static class CommandFactory
{
    public static Command Create(string name, string description, Func<ParseResult, CliContext, CancellationToken, Task<int>> action, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument: command.Add(argument); break;
                case Option option: command.Add(option); break;
            }
        }
        command.SetAction((parse, cancellationToken) => action(parse, new CliContext(parse), cancellationToken));
        return command;
    }

    /// <summary>Runs <paramref name="body"/> on the store (opened here, or through its serving owner) and closes it.</summary>
    // The body lambda goes last so command definitions read top to bottom.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1068:CancellationToken parameters must come last", Justification = "Lambda last for readability")]
    public static async Task<int> WithStore(CliContext context, CancellationToken cancellationToken, Func<IStoreSession, Task<int>> body)
    {
        var session = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await body(session).ConfigureAwait(false);
        }
    }
}
