using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using NoKV.AI;

namespace NoKV.Cli.Mcp;

/// <summary>
/// The tools `nokv mcp` offers: fork, list_forks, the NoKV.AI file tools (read_file … rollback)
/// each with a "fork" argument, promote, drop, and mount where FUSE mounts can run.
/// </summary>
internal static class ForkServerTools
{
    private const int MaxListedPaths = 200;

    public static IReadOnlyList<McpTool> Create(IForkHost host, ForkSessions forks)
    {
        var tools = new List<McpTool>
        {
            new("fork",
                $"Creates a fork: an instant copy-on-write clone of a workspace (e.g. \"/base\") as {forks.Prefix}/NAME. Work in it with the file tools (fork=NAME); the base is untouched until you promote.",
                Schema(new() { ["base"] = Str("The workspace to fork, e.g. \"/base\"."), ["name"] = Str("A name for the fork, one segment without '/', e.g. \"agent-1\".") }, "base", "name"),
                (args, _) =>
                {
                    var path = forks.PathOf(Required(args, "name"));
                    var basePath = Required(args, "base");
                    var baseSnapshot = host.Fork(basePath, path);
                    forks.Created(path, basePath, baseSnapshot);
                    return Done($"forked {basePath} into {path} (base snapshot {baseSnapshot}); pass fork=\"{path[(forks.Prefix.Length + 1)..]}\" to the file tools.");
                }),
            new("list_forks",
                $"Lists the forks (workspaces below {forks.Prefix}).",
                Schema(new()),
                (_, _) =>
                {
                    var names = host.ListForks(forks.Prefix).Select(p => p[(forks.Prefix.Length + 1)..]).ToList();
                    return Done(names.Count == 0 ? "no forks yet; create one with the fork tool." : string.Join('\n', names));
                }),
        };

        foreach (var declaration in WorkspaceTools.Declarations)
        {
            var name = declaration.Name;
            tools.Add(new McpTool(name, declaration.Description + " Acts on one fork, named by 'fork'.", WithForkArgument(declaration.JsonSchema),
                async (args, cancellationToken) =>
                {
                    var session = forks.Get(Required(args, "fork"));
                    var tool = forks.ToolsOf(session).Single(t => t.Name == name);
                    var forwarded = new AIFunctionArguments(args.Where(a => a.Key != "fork").ToDictionary(a => a.Key, a => (object?)a.Value, StringComparer.Ordinal));
                    return Outcome(await tool.InvokeAsync(forwarded, cancellationToken).ConfigureAwait(false));
                }));
        }

        tools.Add(new McpTool("promote",
            "Merges a fork's changes into the workspace it was forked from (a fast-forward when the base has not changed). On conflicting paths nothing is applied unless strategy says which side wins.",
            Schema(new()
            {
                ["fork"] = Str("The fork's name."),
                ["target"] = Str("The workspace to promote into; default: the base the fork was created from."),
                ["strategy"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("fail_on_conflict", "prefer_fork", "prefer_target"), ["description"] = "What to do on a conflict; default fail_on_conflict." },
            }, "fork"),
            (args, cancellationToken) =>
            {
                var session = forks.Get(Required(args, "fork"));
                var target = Optional(args, "target") ?? session.BasePath
                    ?? throw new McpToolException($"this server did not create {session.Path}, so it does not know its base; pass target.");
                var result = host.Promote(session.Path, target, Strategy(Optional(args, "strategy")), cancellationToken);
                return Task.FromResult(Describe(result, session.Path, target));
            }));

        tools.Add(new McpTool("drop",
            "Deletes a fork and everything in it, and releases its snapshots. The base is untouched.",
            Schema(new() { ["fork"] = Str("The fork's name.") }, "fork"),
            async (args, _) =>
            {
                var session = forks.Get(Required(args, "fork"));
                await host.DropAsync(session.Path, session.BaseSnapshotId).ConfigureAwait(false);
                forks.Forget(session.Path);
                return new McpToolOutcome($"dropped {session.Path}");
            }));

        if (host.CanMount)
        {
            tools.Add(new McpTool("mount",
                "Mounts a fork as a real directory (FUSE) and returns its path, so shell tools (compilers, test runners, git) can work in the fork. It stays mounted until the fork is dropped or the server stops.",
                Schema(new() { ["fork"] = Str("The fork's name.") }, "fork"),
                async (args, cancellationToken) =>
                {
                    var session = forks.Get(Required(args, "fork"));
                    return new McpToolOutcome(await host.MountAsync(session.Path, cancellationToken).ConfigureAwait(false));
                }));
        }
        return tools;
    }

    private static McpToolOutcome Describe(PromoteResult result, string fork, string target)
    {
        var text = new StringBuilder();
        if (!result.Promoted)
        {
            text.Append(CultureInfo.InvariantCulture, $"not promoted: {result.Conflicts.Count} conflicting path(s) between {fork} and {target}; nothing was applied. Pass strategy prefer_fork or prefer_target, or fix the fork.\n");
            foreach (var conflict in result.Conflicts.Take(MaxListedPaths)) text.Append("C ").Append(conflict.Path).Append('\n');
            return new McpToolOutcome(text.ToString().TrimEnd('\n'), IsError: true);
        }
        text.Append(CultureInfo.InvariantCulture, $"promoted {fork} into {target}{(result.FastForward ? " (fast-forward)" : "")}: {result.Applied.Count} path(s); snapshot {result.SnapshotId} holds {target} as it was before.\n");
        foreach (var delta in result.Applied.Take(MaxListedPaths)) text.Append(delta.Kind switch { DeltaKind.Added => 'A', DeltaKind.Removed => 'D', _ => 'M' }).Append(' ').Append(delta.Path).Append('\n');
        if (result.Applied.Count > MaxListedPaths) text.Append(CultureInfo.InvariantCulture, $"[truncated: {result.Applied.Count - MaxListedPaths} more paths]");
        return new McpToolOutcome(text.ToString().TrimEnd('\n'));
    }

    private static PromoteStrategy Strategy(string? text) => text switch
    {
        null or "fail_on_conflict" => PromoteStrategy.FailOnConflict,
        "prefer_fork" => PromoteStrategy.PreferFork,
        "prefer_target" => PromoteStrategy.PreferTarget,
        _ => throw new McpToolException($"strategy '{text}' is not one of fail_on_conflict, prefer_fork, prefer_target."),
    };

    private static McpToolOutcome Outcome(object? result) => result switch
    {
        WorkspaceToolError error => new McpToolOutcome(error.Error, IsError: true),
        string text => new McpToolOutcome(text),
        JsonElement { ValueKind: JsonValueKind.String } json => new McpToolOutcome(json.GetString()!),
        _ => new McpToolOutcome(JsonSerializer.Serialize(result)),
    };

    private static Task<McpToolOutcome> Done(string text) => Task.FromResult(new McpToolOutcome(text));

    private static string Required(IReadOnlyDictionary<string, JsonElement> args, string name) =>
        Optional(args, name) ?? throw new McpToolException($"'{name}' is required.");

    private static string? Optional(IReadOnlyDictionary<string, JsonElement> args, string name) =>
        !args.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new McpToolException($"'{name}' must be a string.");

    private static JsonObject Str(string description) => new() { ["type"] = "string", ["description"] = description };

    private static JsonElement Schema(Dictionary<string, JsonNode> properties, params string[] required)
    {
        var schema = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))) };
        if (required.Length > 0) schema["required"] = new JsonArray([.. required.Select(r => (JsonNode?)r)]);
        return JsonSerializer.SerializeToElement(schema);
    }

    /// <summary>The NoKV.AI tool's schema with a required "fork" argument first.</summary>
    private static JsonElement WithForkArgument(JsonElement toolSchema)
    {
        var schema = JsonNode.Parse(toolSchema.GetRawText())!.AsObject();
        var properties = new JsonObject { ["fork"] = Str("The fork's name, as the fork tool returned it.") };
        if (schema["properties"] is JsonObject existing)
        {
            foreach (var (key, value) in existing) properties[key] = value?.DeepClone();
        }
        schema["properties"] = properties;
        var required = new JsonArray("fork");
        if (schema["required"] is JsonArray existingRequired)
        {
            foreach (var item in existingRequired) required.Add(item?.DeepClone());
        }
        schema["required"] = required;
        schema.Remove("title");
        return JsonSerializer.SerializeToElement(schema);
    }
}
