using System.Diagnostics;

namespace NoKV.Cli.Tests;

/// <summary>`nokv serve` running in its own process: the owner other nokv processes reach over the socket.</summary>
public sealed class ServeProcess : IDisposable
{
    private readonly Process _process;

    private ServeProcess(Process process, string firstLine)
    {
        _process = process;
        FirstLine = firstLine;
    }

    /// <summary>What serve printed first ("serving STORE at SOCKET").</summary>
    public string FirstLine { get; }

    public int Id => _process.Id;

    public static ServeProcess Start(string store)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Nokv.ToolPathForTests);
        foreach (var arg in new[] { "--store", store, "serve" }) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        var line = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        if (line is null || !line.StartsWith("serving ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"nokv serve did not start: {line} {process.StandardError.ReadToEnd()}");
        }
        return new ServeProcess(process, line);
    }

    /// <summary>SIGTERM, as a service manager stops it; returns the exit code and the rest of stdout.</summary>
    public (int ExitCode, string Stdout) Stop()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        var rest = _process.StandardOutput.ReadToEndAsync();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) throw new TimeoutException("nokv serve did not stop on SIGTERM");
        return (_process.ExitCode, rest.GetAwaiter().GetResult());
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}
