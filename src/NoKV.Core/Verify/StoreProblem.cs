namespace NoKV;

/// <summary>One problem <see cref="WorkspaceStore.Verify"/> found.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Description">A sentence naming what and where.</param>
public sealed record StoreProblem(StoreProblemKind Kind, string Description)
{
    /// <summary>The workspace or snapshot the problem shows in, if known ("/base", "@7").</summary>
    public string? Where { get; init; }

    /// <summary>The path inside it, if known.</summary>
    public string? Path { get; init; }

    /// <summary>The block key, for block problems.</summary>
    public string? BlockKey { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Kind}: {Description}";
}
