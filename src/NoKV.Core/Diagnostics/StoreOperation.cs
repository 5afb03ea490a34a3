namespace NoKV.Diagnostics;

/// <summary>
/// A public store operation, as the <c>nokv.operation</c> tag of <c>nokv.operation.duration</c>
/// and as the span name (<c>nokv.clone</c>, ...). A fixed set, so the tag's cardinality is bounded.
/// </summary>
internal enum StoreOperation
{
    CreateWorkspace,
    DeleteWorkspace,
    Snapshot,
    ReleaseSnapshot,
    Clone,
    Diff,
    Rollback,
    Promote,
    Gc,
    Import,
    Verify,

    // For the namespace front ends (Workspace API, mount, server): file operations.
    Read,
    Write,
    Stat,
    List,
    Edit,
}

internal static class StoreOperationNames
{
    private static readonly string[] Tags = [.. Enum.GetValues<StoreOperation>().Select(ToSnakeCase)];
    private static readonly string[] Spans = [.. Tags.Select(t => "nokv." + t)];

    /// <summary>The <c>nokv.operation</c> tag value: "clone", "create_workspace", ...</summary>
    public static string Tag(this StoreOperation operation) => Tags[(int)operation];

    /// <summary>The span name: "nokv.clone", "nokv.create_workspace", ...</summary>
    public static string SpanName(this StoreOperation operation) => Spans[(int)operation];

    private static string ToSnakeCase(StoreOperation operation)
    {
        var name = operation.ToString();
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) text.Append('_');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }
}
