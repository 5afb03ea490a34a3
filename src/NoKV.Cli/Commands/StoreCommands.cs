using System.CommandLine;
using NoKV.Cli.Output;
using NoKV.Cli.Sessions;
using static NoKV.Cli.Commands.CommandFactory;

namespace NoKV.Cli.Commands;

/// <summary>init, create, workspaces, drop, gc, fsck.</summary>
internal static class StoreCommands
{
    public static IEnumerable<Command> All()
    {
        yield return Create("init", "Create the store (add --s3-bucket to keep blocks on S3)", InitAsync);

        var createPath = new Argument<string>("path") { Description = "The new workspace's path, e.g. /base" };
        var createTtl = Lifetimes.TtlOption();
        yield return Create("create", "Create an empty workspace", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var ws = await store.CreateWorkspaceAsync(p.GetValue(createPath)!, Lifetimes.Parse(p.GetValue(createTtl)), ct).ConfigureAwait(false);
            Console.Out.WriteLine($"created {ws.Path} root={ws.RootInode}");
            return ExitCodes.Success;
        }), createPath, createTtl);

        yield return Create("workspaces", "List workspaces: path, root inode, files, bytes", (_, c, ct) => WithStore(c, ct, async store =>
        {
            var rows = new List<string[]>();
            foreach (var w in await store.ListWorkspacesAsync(ct).ConfigureAwait(false))
            {
                var (files, bytes) = await CountAsync(await store.OpenWorkspaceAsync(w.Path, ct).ConfigureAwait(false), "/", ct).ConfigureAwait(false);
                rows.Add([w.Path, Num(w.RootInode), Num(files), Num(bytes)]);
            }
            Terminal.Table(["path", "root", "files", "bytes"], rows);
            return ExitCodes.Success;
        }));

        var dropPath = new Argument<string>("path") { Description = "The workspace to delete" };
        yield return Create("drop", "Delete a workspace (its snapshots stay until released)", (p, c, ct) => WithStore(c, ct, async store =>
        {
            await store.DeleteWorkspaceAsync(p.GetValue(dropPath)!, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"dropped {p.GetValue(dropPath)}");
            return ExitCodes.Success;
        }), dropPath);

        var full = new Option<bool>("--full") { Description = "Also sweep the block store for orphans and count blocks only snapshots keep" };
        yield return Create("gc", "Collect garbage: blocks nothing reaches any more", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var report = await store.CollectGarbageAsync(p.GetValue(full) ? GcMode.Full : GcMode.Incremental, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"gc: {report.BlocksDeleted} blocks ({report.BytesReclaimed} bytes) reclaimed, {report.GenerationsCollected} file versions, " +
                $"{report.LayersCollected} layers collected, {report.LayersMerged} merged, {report.OrphansDeleted} orphans" +
                (report.BlocksBlockedBySnapshots is { } pinned ? $", {pinned} blocks kept only by snapshots" : ""));
            return ExitCodes.Success;
        }), full);

        yield return Create("fsck", "Check the whole store; exit 1 and list the problems if there are any", (_, c, ct) => WithStore(c, ct, async store =>
        {
            var report = await store.VerifyAsync(ct).ConfigureAwait(false);
            foreach (var problem in report.Problems) Console.Out.WriteLine($"{problem.Kind}: {problem.Description}");
            if (!report.IsHealthy) return ExitCodes.Found;
            Console.Out.WriteLine($"store is healthy: {report.ViewsChecked} workspaces and snapshots, {report.GenerationsChecked} file versions, {report.BlocksChecked} blocks checked");
            return ExitCodes.Success;
        }));
    }

    private static async Task<int> InitAsync(ParseResult parse, CliContext context, CancellationToken cancellationToken)
    {
        if (context.StoreExists) throw new UsageException($"a store already exists at {context.StoreDirectory}");
        var config = context.S3FromFlags() ?? new StoreConfig();
        var existed = Directory.Exists(context.StoreDirectory);
        try
        {
            var store = await context.OpenWithAsync(config, cancellationToken).ConfigureAwait(false);
            await store.DisposeAsync().ConfigureAwait(false);
            config.Save(context.StoreDirectory);
        }
        catch when (!existed)
        {
            // A failed init (e.g. a missing bucket) leaves nothing behind.
            if (Directory.Exists(context.StoreDirectory)) Directory.Delete(context.StoreDirectory, recursive: true);
            throw;
        }
        var where = config.Blocks == "s3" ? $"s3://{config.S3Bucket}/{config.S3Prefix}" : "local";
        Console.Out.WriteLine($"initialized store at {context.StoreDirectory} (blocks: {where})");
        return ExitCodes.Success;
    }

    private static async Task<(long Files, long Bytes)> CountAsync(IWorkspaceAccess ws, string dir, CancellationToken cancellationToken)
    {
        long files = 0, bytes = 0;
        foreach (var node in await ws.ListAsync(dir, cancellationToken).ConfigureAwait(false))
        {
            if (node.Kind == NodeKind.File)
            {
                files++;
                bytes += node.Length;
                continue;
            }
            var (f, b) = await CountAsync(ws, node.Path, cancellationToken).ConfigureAwait(false);
            files += f;
            bytes += b;
        }
        return (files, bytes);
    }

    internal static string Num(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
