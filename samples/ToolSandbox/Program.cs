// Agents run real tools, and real tools want real files. This sample forks a workspace,
// exports the fork to a scratch directory, runs a real command there (it edits one file,
// deletes one and creates one), syncs the result back into the fork writing only what
// changed, and shows the diff against the base. Links, modes and mtimes go out and come back:
// the build script keeps its executable bit, and the tool's chmod shows up as Modified.
//
//   dotnet run --project samples/ToolSandbox
using System.Diagnostics;
using NoKV;

var root = Path.Combine(Path.GetTempPath(), "nokv-sandbox-" + Guid.NewGuid().ToString("N")[..8]);
try
{
    await using var store = WorkspaceStore.Open(Path.Combine(root, "store"));
    var baseWs = store.CreateWorkspace("/base");
    baseWs.CreateDirectory("/src");
    await baseWs.WriteAllBytesAsync("/src/main.txt", "status: TODO\n"u8.ToArray());
    await baseWs.WriteAllBytesAsync("/src/util.txt", "helpers\n"u8.ToArray());
    await baseWs.WriteAllBytesAsync("/scratch.tmp", "temporary\n"u8.ToArray());
    await baseWs.WriteAllBytesAsync("/build.sh", "#!/bin/sh\necho building\n"u8.ToArray());
    baseWs.SetUnixFileMode("/build.sh", (UnixFileMode)0x1ED); // 0755: the tool runs it
    baseWs.CreateSymbolicLink("/main", "src/main.txt");
    var fork = store.Clone("/base", "/forks/tool-run").Workspace;

    var sandbox = Path.Combine(root, "sandbox");
    await Sandbox.ExportAsync(fork, "/", sandbox);
    Console.WriteLine($"exported {fork.Path} to {sandbox}");

    const string command = "./build.sh > build.log && ls -R > listing.txt && sed -i 's/TODO/DONE/' src/main.txt && rm scratch.tmp && chmod 600 src/util.txt";
    Console.WriteLine($"running: {command}");
    using (var tool = Process.Start(new ProcessStartInfo("sh", ["-c", command]) { WorkingDirectory = sandbox })!)
    {
        await tool.WaitForExitAsync();
        if (tool.ExitCode != 0) throw new InvalidOperationException($"the tool failed with exit code {tool.ExitCode}");
    }

    var written = await Sandbox.SyncBackAsync(sandbox, fork, "/");
    Console.WriteLine($"synced back: {written} paths written (unchanged files were left alone)");
    foreach (var d in store.Diff("/base", fork.Path))
        Console.WriteLine($"{(d.Kind == DeltaKind.Added ? 'A' : d.Kind == DeltaKind.Removed ? 'D' : 'M')}    {d.Path}");
}
finally
{
    Directory.Delete(root, recursive: true);
}
