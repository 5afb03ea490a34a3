using System.CommandLine;
using NoKV.Cli.Output;
using static NoKV.Cli.Commands.CommandFactory;

namespace NoKV.Cli.Commands;

/// <summary>ls, cat, put, stat, mkdir, mv, rm (ln, chmod and touch are in AttributeCommands).</summary>
internal static class FileCommands
{
    public static IEnumerable<Command> All()
    {
        var lsPath = new Argument<string>("path") { Description = "A directory: /base/src, or @7/src in a snapshot" };
        var longFormat = new Option<bool>("--long", "-l") { Description = "Mode (drwxr-xr-x, l for a link), owner uid, gid, size, mtime (UTC), name and a link's -> target" };
        yield return Create("ls", "List a directory", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var target = await ReadTarget.ResolveAsync(store, p.GetValue(lsPath)!, ct).ConfigureAwait(false);
            foreach (var node in await target.ListAsync(target.Path, ct).ConfigureAwait(false))
            {
                var name = node.Kind == NodeKind.Directory ? node.Name + "/" : node.Name;
                Console.Out.WriteLine(p.GetValue(longFormat)
                    ? $"{NodeText.Mode(node.Kind, node.Mode)} {node.OwnerId,6} {node.GroupId,6} {node.Length,12} {NodeText.Time(node.LastWriteTime)} {name}{(node.LinkTarget is { } to ? " -> " + to : "")}"
                    : name);
            }
            return ExitCodes.Success;
        }), lsPath, longFormat);

        var catPath = new Argument<string>("path") { Description = "A file: /base/a, or @7/a in a snapshot" };
        yield return Create("cat", "Write a file's bytes to standard output", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var target = await ReadTarget.ResolveAsync(store, p.GetValue(catPath)!, ct).ConfigureAwait(false);
            await using var input = await target.OpenReadAsync(target.Path, ct).ConfigureAwait(false);
            await using var output = Console.OpenStandardOutput();
            await input.CopyToAsync(output, ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }), catPath);

        var putPath = new Argument<string>("path") { Description = "The file to write, e.g. /base/a" };
        var putSource = new Argument<string>("source") { Description = "A local file, or - for standard input", DefaultValueFactory = _ => "-" };
        yield return Create("put", "Create or replace a file from a local file or standard input", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var (ws, path) = await store.LocateAsync(p.GetValue(putPath)!, ct).ConfigureAwait(false);
            var source = p.GetValue(putSource)!;
            var input = source == "-" ? Console.OpenStandardInput() : OpenLocal(source);
            await using (input.ConfigureAwait(false))
            {
                var output = await ws.OpenWriteAsync(path, ct).ConfigureAwait(false);
                await using (output.Stream.ConfigureAwait(false))
                {
                    try
                    {
                        await input.CopyToAsync(output.Stream, ct).ConfigureAwait(false);
                    }
                    catch
                    {
                        // A source that fails or a Ctrl-C halfway must not publish a truncated file.
                        output.Abort();
                        throw;
                    }
                }
            }
            return ExitCodes.Success;
        }), putPath, putSource);

        var statPath = new Argument<string>("path") { Description = "A file, directory or symbolic link (or @7/path); a link is described, not followed" };
        yield return Create("stat", "Describe a node: kind, size, generation, inode, mode, uid, gid, mtime, ctime, link target", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var target = await ReadTarget.ResolveAsync(store, p.GetValue(statPath)!, ct).ConfigureAwait(false);
            var node = await target.StatAsync(target.Path, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"path: {target.Display}");
            Console.Out.WriteLine($"kind: {NodeText.Kind(node.Kind)}");
            Console.Out.WriteLine($"size: {node.Length}");
            Console.Out.WriteLine($"generation: {node.Generation}");
            Console.Out.WriteLine($"inode: {node.Inode}");
            Console.Out.WriteLine($"mode: {NodeText.Octal(node.Mode)} ({NodeText.Mode(node.Kind, node.Mode)})");
            Console.Out.WriteLine($"uid: {node.OwnerId}");
            Console.Out.WriteLine($"gid: {node.GroupId}");
            Console.Out.WriteLine($"modified: {node.LastWriteTime.ToUniversalTime():O}");
            Console.Out.WriteLine($"changed: {node.ChangeTime.ToUniversalTime():O}");
            if (node.LinkTarget is { } linkTarget) Console.Out.WriteLine($"target: {linkTarget}");
            return ExitCodes.Success;
        }), statPath);

        var mkdirPath = new Argument<string>("path") { Description = "The directory to create (parents too)" };
        yield return Create("mkdir", "Create a directory and its missing parents", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var (ws, path) = await store.LocateAsync(p.GetValue(mkdirPath)!, ct).ConfigureAwait(false);
            await ws.CreateDirectoryAsync(path, ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }), mkdirPath);

        var from = new Argument<string>("from") { Description = "The file or directory to move" };
        var to = new Argument<string>("to") { Description = "Its new path, in the same workspace" };
        yield return Create("mv", "Move or rename within a workspace", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var source = await store.LocateAsync(p.GetValue(from)!, ct).ConfigureAwait(false);
            var destination = await store.LocateAsync(p.GetValue(to)!, ct).ConfigureAwait(false);
            if (source.Workspace.Path != destination.Workspace.Path)
                throw new UsageException($"cannot move across workspaces ({source.Workspace.Path} -> {destination.Workspace.Path}); use export and import");
            await source.Workspace.MoveAsync(source.Path, destination.Path, ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }), from, to);

        var rmPath = new Argument<string>("path") { Description = "The file or directory to delete" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Delete a directory and everything in it" };
        yield return Create("rm", "Delete a file, or a directory with -r", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var (ws, path) = await store.LocateAsync(p.GetValue(rmPath)!, ct).ConfigureAwait(false);
            if (path == "/") throw new UsageException($"'{ws.Path}' is a workspace; use 'nokv drop'");
            await ws.DeleteAsync(path, p.GetValue(recursive), ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }), rmPath, recursive);
    }

    private static FileStream OpenLocal(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"no such file: {path}");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
    }
}
