using System.Diagnostics;

namespace NoKV.Cli.Tests;

/// <summary>What one run of the tool printed and returned.</summary>
public sealed record NokvResult(int ExitCode, string Stdout, string Stderr, byte[] StdoutBytes)
{
    public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs the built nokv tool (dotnet nokv.dll) in a child process against one store directory.</summary>
public sealed class Nokv : IDisposable
{
    private static readonly Lazy<string> ToolPath = new(FindTool);

    public Nokv()
    {
        Root = Path.Combine(Path.GetTempPath(), "nokv-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Store = Path.Combine(Root, "store");
    }

    /// <summary>The built tool (nokv.dll), for tests that start it themselves (a mount runs until unmounted).</summary>
    public static string ToolPathForTests => ToolPath.Value;

    public string Root { get; }
    public string Store { get; }

    public NokvResult Run(params string[] args) => RunWithInput(null, args);

    /// <summary>Runs the tool with --store, expecting success; fails the test with its stderr otherwise.</summary>
    public NokvResult Ok(params string[] args)
    {
        var result = Run(args);
        Assert.True(result.ExitCode == 0, $"nokv {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}");
        return result;
    }

    public NokvResult RunWithInput(byte[]? stdin, params string[] args) => RunRaw(stdin, ["--store", Store, .. args]);

    public NokvResult RunRaw(byte[]? stdin, string[] args, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        start.ArgumentList.Add(ToolPath.Value);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("NOKV_STORE");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        using var process = Process.Start(start)!;
        var stdout = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) process.StandardInput.BaseStream.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"nokv {string.Join(' ', args)} did not finish");
        }
        copyOut.GetAwaiter().GetResult();
        var bytes = stdout.ToArray();
        return new NokvResult(process.ExitCode, System.Text.Encoding.UTF8.GetString(bytes), stderr.GetAwaiter().GetResult(), bytes);
    }

    private static string FindTool()
    {
        // tests/NoKV.Cli.Tests/bin/{Configuration}/net10.0/ → src/NoKV.Cli/bin/{Configuration}/net10.0/nokv.dll
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent!.Name;
        var dir = here;
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NoKV.sln"))) dir = dir.Parent;
        var tool = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("NoKV.sln not found above the test directory"),
            "src", "NoKV.Cli", "bin", configuration, here.Name, "nokv.dll");
        return File.Exists(tool) ? tool : throw new FileNotFoundException("Build src/NoKV.Cli first.", tool);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
