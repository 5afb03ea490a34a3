namespace NoKV;

/// <summary>Options for <see cref="Workspace.ImportAsync(string, string, ImportOptions?, CancellationToken)"/>.</summary>
public sealed class ImportOptions
{
    /// <summary>Receives running totals (files, directories, bytes so far) as the import goes; null for none.</summary>
    public IProgress<ImportResult>? Progress { get; set; }
}
