// nokv: copy-on-write workspaces from the shell. Exit codes: 0 success, 1 a difference or
// problem found (diff --exit-code, fsck), 2 usage or input error (one line on stderr, nothing
// changed), 3 another failure.
using System.CommandLine;
using NoKV;
using NoKV.Cli;
using NoKV.Cli.Commands;

var root = new RootCommand("nokv: copy-on-write workspaces for AI agents (snapshot, clone, diff, rollback)");
foreach (var option in new[] { CliContext.StoreOption, CliContext.S3BucketOption, CliContext.S3PrefixOption, CliContext.S3EndpointOption }) root.Add(option);
foreach (var command in StoreCommands.All().Concat(FileCommands.All()).Concat(SnapshotCommands.All()).Concat(AttributeCommands.All()).Concat(TransferCommands.All()).Concat(LifecycleCommands.All())) root.Add(command);
root.Add(DiffCommand.Build());
root.Add(PromoteCommand.Build());
root.Add(MountCommand.Build());
root.Add(McpCommand.Build());
root.Add(ServeCommand.Build());

// No response files: "@7" names snapshot 7, not a file of arguments.
var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parse.Errors.Count > 0)
{
    Console.Error.WriteLine($"nokv: {parse.Errors[0].Message} (see 'nokv --help')");
    return ExitCodes.Usage;
}

try
{
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
}
catch (Exception e) when (ExitCodeOf(e) is var code && code != ExitCodes.Failure)
{
    Console.Error.WriteLine($"nokv: {MessageOf(e)}");
    return code;
}
catch (Exception e)
{
    Console.Error.WriteLine($"nokv: {e.Message}");
    if (Environment.GetEnvironmentVariable("NOKV_DEBUG") == "1") Console.Error.WriteLine(e);
    return ExitCodes.Failure;
}

// ArgumentException appends "(Parameter 'x')", which names a C# parameter the user never saw.
static string MessageOf(Exception e) =>
    e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;

// The user's input was wrong (exit 2), or something else failed (exit 3). The exception family
// says which (NoKVException.IsCallerError), so a new exception type needs no change here.
static int ExitCodeOf(Exception e) => e switch
{
    UsageException or ArgumentException => ExitCodes.Usage,
    NoKVException { IsCallerError: true } => ExitCodes.Usage,
    _ => ExitCodes.Failure,
};
