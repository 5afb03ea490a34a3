using System.CommandLine;
using Spectre.Console;
using NoKV.Cli.Export;
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
        yield return Create("import", "Copy a real directory into a workspace: files, directories and symbolic links (never followed) with their modes, owners and mtimes; special files are skipped and reported", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var directory = p.GetValue(source)!;
            if (!Directory.Exists(directory)) throw new UsageException($"no such directory: {directory}");
            var (ws, path) = LocateOrCreate(store.LocalStore ?? throw NeedsTheStore(c), p.GetValue(target)!);
            var result = await ImportAsync(ws, directory, path, ct).ConfigureAwait(false);
            foreach (var skip in result.Skipped) Console.Error.WriteLine($"skipped {Describe(skip.Reason)}: {skip.Path}");
            Console.Out.WriteLine($"imported {result.Files} files, {result.Directories} directories, {result.Bytes} bytes into {p.GetValue(target)}");
            return ExitCodes.Success;
        }), source, target);

        var from = new Argument<string>("source") { Description = "A workspace, a directory in one, or @ID[/path]" };
        var to = new Argument<string>("directory") { Description = "A real directory to write (must not exist or be empty)" };
        yield return Create("export", "Write a tree out as real files: symbolic links as links (never followed), modes, mtimes, and owners when run as root (otherwise the exporting user owns the files)", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var readTarget = await ReadTarget.ResolveAsync(store, p.GetValue(from)!, ct).ConfigureAwait(false);
            var output = Path.GetFullPath(p.GetValue(to)!);
            if (File.Exists(output) || (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any()))
                throw new UsageException($"{output} exists and is not an empty directory");
            if ((await readTarget.StatAsync(readTarget.Path, ct).ConfigureAwait(false)).Kind != NodeKind.Directory) throw new UsageException($"{readTarget.Display} is a file; use 'nokv cat'");
            Directory.CreateDirectory(output);
            // Only root may give files away; anyone else exports them as their own, as cp -p does.
            var exporter = new TreeExporter(readTarget, setOwners: Environment.IsPrivilegedProcess);
            await exporter.ExportAsync(readTarget.Path, output, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"exported {exporter.Files} files, {exporter.Bytes} bytes to {output}");
            return ExitCodes.Success;
        }), from, to);
    }

    /// <summary>Import walks the source tree in this process and writes through the engine's batched import; through an owner it would be one call per file.</summary>
    private static StoreLockedException NeedsTheStore(CliContext context) =>
        new(context.StoreDirectory, "import needs the store to itself: stop the process that serves it, then import");

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

    private static string Describe(ImportSkipReason reason) => reason switch
    {
        ImportSkipReason.SymbolicLink => "symbolic link",
        ImportSkipReason.NamedPipe => "named pipe",
        ImportSkipReason.Socket => "socket",
        ImportSkipReason.CharacterDevice => "character device",
        ImportSkipReason.BlockDevice => "block device",
        ImportSkipReason.UnsupportedLinkTarget => "symbolic link with a target NoKV cannot store (not UTF-8, or over 4,095 bytes)",
        _ => "special file",
    };
}
