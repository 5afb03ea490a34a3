using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace NoKV.Cli.Mcp;

/// <summary>
/// One MCP tool: a name, a description, a JSON schema and a handler that returns text. A failure
/// the client caused (a bad argument, a missing fork, a refused call) comes back as a tool result
/// with isError set and the exception's message — never a stack trace — so the agent can correct
/// itself; anything else is left to the SDK, which reports it without details.
/// </summary>
internal sealed class McpTool(string name, string description, JsonElement inputSchema, Func<IReadOnlyDictionary<string, JsonElement>, CancellationToken, Task<McpToolOutcome>> handler) : McpServerTool
{
    public override Tool ProtocolTool { get; } = new() { Name = name, Description = description, InputSchema = inputSchema };

    public override IReadOnlyList<object> Metadata { get; } = [];

    public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        var arguments = request.Params?.Arguments is { } given
            ? new Dictionary<string, JsonElement>(given, StringComparer.Ordinal)
            : new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        try
        {
            var outcome = await handler(arguments, cancellationToken).ConfigureAwait(false);
            return Result(outcome.Text, outcome.IsError);
        }
        catch (Exception e) when (McpErrors.IsCallerFault(e))
        {
            return Result(McpErrors.MessageOf(e), isError: true);
        }
    }

    private static CallToolResult Result(string text, bool isError) => new()
    {
        Content = [new TextContentBlock { Text = text }],
        IsError = isError,
    };
}

/// <summary>What a tool handler produced: text for the agent, and whether it reports a failure.</summary>
internal readonly record struct McpToolOutcome(string Text, bool IsError = false);

/// <summary>A call the server refuses (an unknown fork, a name with '/'): its message goes back as the tool error.</summary>
internal sealed class McpToolException(string message) : Exception(message);

internal static class McpErrors
{
    public static bool IsCallerFault(Exception e) => e switch
    {
        McpToolException or ArgumentException or JsonException or FormatException or InvalidOperationException => true,
        NoKVException nokv => nokv.IsCallerError,
        _ => false,
    };

    // ArgumentException appends "(Parameter 'x')", naming a C# parameter the agent never saw.
    public static string MessageOf(Exception e) =>
        e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
}
