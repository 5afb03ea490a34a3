namespace NoKV;

/// <summary>One option out of range: its name, its value, and what it must be ("must be between ...").</summary>
internal sealed record OptionProblem(string Option, object? Value, string Rule)
{
    public Exception ToException() => Option == nameof(WorkspaceStoreOptions.Directory)
        ? new ArgumentException($"WorkspaceStoreOptions.Directory {Rule}", Option)
        : new ArgumentOutOfRangeException(Option, Value, $"{Option} {Rule}");
}
