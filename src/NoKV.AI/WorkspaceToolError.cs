namespace NoKV.AI;

/// <summary>
/// What a workspace tool returns instead of a result when the call could not be done (a missing
/// file, a path outside the rules, old text that is not unique, a limit): the message of the
/// typed exception, never a stack trace, so the model can correct its next call. Nothing in the
/// workspace changed. Serialized as <c>{"error": "..."}</c>.
/// </summary>
/// <param name="Error">What went wrong, in one or two sentences.</param>
public sealed record WorkspaceToolError(string Error)
{
    /// <inheritdoc />
    public override string ToString() => $"error: {Error}";
}
