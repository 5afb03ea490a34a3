using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace NoKV.AI;

/// <summary>
/// Turns the failures a model can cause (a bad argument, a missing path, a refused call) into a
/// <see cref="WorkspaceToolError"/> result carrying the exception's message, so the model reads
/// what went wrong and the conversation goes on. Anything else (a bug, a broken store) still
/// throws: the function-invoking client reports it without the stack trace.
/// </summary>
internal sealed class GuardedFunction(AIFunction inner) : DelegatingAIFunction(inner)
{
    // Messages can quote the model's own arguments back (a 100 KB path): keep them short.
    private const int MaxErrorChars = 1000;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsCallerFault(e))
        {
            return new WorkspaceToolError(Clean(MessageOf(e)));
        }
    }

    private static bool IsCallerFault(Exception e) => e switch
    {
        ToolException or ArgumentException or JsonException or FormatException or OverflowException or RegexMatchTimeoutException => true,
        NoKVException nokv => nokv.IsCallerError,
        _ => false,
    };

    // ArgumentException appends "(Parameter 'x')", naming a C# parameter the model never saw.
    private static string MessageOf(Exception e) =>
        e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;

    /// <summary>Control characters (a NUL in a path) become '?', and the message stops at a bound.</summary>
    internal static string Clean(string message)
    {
        var chars = message.Length > MaxErrorChars ? (message[..MaxErrorChars] + "…").ToCharArray() : message.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]) && chars[i] != '\n') chars[i] = '?';
        }
        return new string(chars);
    }
}
