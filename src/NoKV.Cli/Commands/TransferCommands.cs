using System.CommandLine;
using Spectre.Console;
using NoKV.Cli.Output;
using static NoKV.Cli.Commands.CommandFactory;

namespace NoKV.Cli.Commands;

/// <summary>import and export between the store and real directories.</summary>
internal static class TransferCommands
{
    public static IEnumerable<Command> All()
    {
        var source = new Argument<string>("directory") { Description = "A real directory to copy in" };
        var target = new Argument<string>("target") { Description = "A workspace (created if missing) or a directory in one" };
        yield return Create("import", "Copy a real directory into a workspace", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var directory = p.GetValue(source)!;
            if (!Directory.Exists(directory)) throw new UsageException($"no such directory: {directory}");
            var (ws, path) = LocateOrCreate(store, p.GetValue(target)!);
            var result = await ImportAsync(ws, directory, path, ct).ConfigureAwait(false);
            foreach (var skip in result.Skipped) Console.Error.WriteLine($"skipped {Describe(skip.Reason)}: {skip.Path}");
            Console.Out.WriteLine($"imported {result.Files} files, {result.Directories} directories, {result.Bytes} bytes into {p.GetValue(target)}");
            return ExitCodes.Success;
        }), source, target);

        var from = new Argument<string>("source") { Description = "A workspace, a directory in one, or @ID[/path]" };
        var to = new Argument<string>("directory") { Description = "A real directory to write (must not exist or be empty)" };
        yield return Create("export", "Write a tree out as real files", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var readTarget = ReadTarget.Resolve(store, p.GetValue(from)!);
            var output = Path.GetFullPath(p.GetValue(to)!);
            if (File.Exists(output) || (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any()))
                throw new UsageException($"{output} exists and is not an empty directory");
            if (readTarget.Stat(readTarget.Path).Kind != NodeKind.Directory) throw new UsageException($"{readTarget.Display} is a file; use 'nokv cat'");
            Directory.CreateDirectory(output);
            var (files, bytes) = await ExportAsync(readTarget, readTarget.Path, output, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"exported {files} files, {bytes} bytes to {output}");
            return ExitCodes.Success;
        }), from, to);
    }

    private static (Workspace Workspace, string Path) LocateOrCreate(WorkspaceStore store, string target)
    {
        try
        {
            var located = store.Locate(target);
            return (located.Workspace, located.Path);
        }
        catch (WorkspaceNotFoundException)
        {
            return (store.CreateWorkspace(target), "/");
        }
    }

    private static async Task<ImportResult> ImportAsync(Workspace ws, string directory, string path, CancellationToken cancellationToken)
    {
        if (!Terminal.IsInteractive) return await ws.ImportAsync(directory, path, null, cancellationToken).ConfigureAwait(false);
        var total = Directory.EnumerateFiles(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).LongCount();
        ImportResult? result = null;
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask("importing", maxValue: Math.Max(1, total));
            var options = new ImportOptions { Progress = new Progress<ImportResult>(r => task.Value = r.Files) };
            result = await ws.ImportAsync(directory, path, options, cancellationToken).ConfigureAwait(false);
            task.Value = task.MaxValue;
        }).ConfigureAwait(false);
        return result!;
    }

    private static async Task<(long Files, long Bytes)> ExportAsync(ReadTarget target, string dir, string output, CancellationToken cancellationToken)
    {
        long files = 0, bytes = 0;
        foreach (var node in target.List(dir))
        {
            // Names are NoKV-validated (no '/', '..' or NUL), so the combination stays under output.
            var destination = Path.Combine(output, node.Name);
            if (node.Kind == NodeKind.Directory)
            {
                Directory.CreateDirectory(destination);
                var (f, b) = await ExportAsync(target, node.Path, destination, cancellationToken).ConfigureAwait(false);
                files += f;
                bytes += b;
                continue;
            }
            var input = target.OpenRead(node.Path);
            await using (input.ConfigureAwait(false))
            {
                var file = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                await using (file.ConfigureAwait(false)) await input.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            }
            files++;
            bytes += node.Length;
        }
        return (files, bytes);
    }

    private static string Describe(ImportSkipReason reason) => reason switch
    {
        ImportSkipReason.SymbolicLink => "symbolic link",
        ImportSkipReason.NamedPipe => "named pipe",
        ImportSkipReason.Socket => "socket",
        ImportSkipReason.CharacterDevice => "character device",
        ImportSkipReason.BlockDevice => "block device",
        _ => "special file",
    };
}
