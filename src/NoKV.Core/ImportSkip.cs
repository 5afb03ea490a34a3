namespace NoKV;

/// <summary>A source entry an import left out, and why.</summary>
/// <param name="Path">The entry's path relative to the source directory, '/'-separated (e.g. "logs/app.sock").</param>
/// <param name="Reason">What kind of entry it is.</param>
public sealed record ImportSkip(string Path, ImportSkipReason Reason);
