using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace NoKV.Packaging.Tests;

/// <summary>
/// Packs NoKV, NoKV.Abstractions, NoKV.Storage.Local, NoKV.Storage.S3 and the nokv tool into a folder, then uses
/// them as a stranger would: a brand-new console project that references NoKV from that folder
/// (its dependencies from nuget.org) opens a store and diffs a fork, and the tool installs from
/// the folder and runs. On Debian 12 this is the proof that the package's own LMDB loads.
/// </summary>
public sealed class PackageTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Packages = ["NoKV", "NoKV.Abstractions", "NoKV.Storage.Local", "NoKV.Storage.S3", "NoKV.Cli"];
    private readonly string _work = Path.Combine(Path.GetTempPath(), "nokv-pack-" + Guid.NewGuid().ToString("N"));
    // A version of its own, so no NuGet cache can hand back an older build.
    private readonly string _version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in Packages)
        {
            var dir = Path.Combine(cache, id.ToLowerInvariant(), _version);
            try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Packages_install_into_a_new_project_and_the_tool_runs()
    {
        var repo = FindRepo();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var feed = Path.Combine(_work, "feed");
        foreach (var project in new[] { "NoKV.Abstractions", "NoKV.Storage.Local", "NoKV.Core", "NoKV.Storage.S3", "NoKV.Cli" })
            Run(repo, "dotnet", "pack", Path.Combine(repo, "src", project, project + ".csproj"), "-c", configuration, "--no-build", "-o", feed, $"-p:PackageVersion={_version}");

        AssertPackageContents(feed);

        var app = Path.Combine(_work, "app");
        Run(_work, "dotnet", "new", "console", "-o", app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local"><package pattern="NoKV*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        Run(app, "dotnet", "add", "package", "NoKV", "--version", _version);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using NoKV;
            var dir = Path.Combine(Path.GetTempPath(), "nokv-consumer-" + Guid.NewGuid().ToString("N"));
            await using (var store = WorkspaceStore.Open(dir))
            {
                var ws = store.CreateWorkspace("/base");
                await ws.WriteAllBytesAsync("/a", "hello"u8.ToArray());
                var fork = store.Clone("/base", "/forks/one").Workspace;
                await fork.WriteAllBytesAsync("/a", "changed"u8.ToArray());
                Console.WriteLine(string.Join(",", store.Diff("/base", "/forks/one").Select(d => $"{d.Kind}:{d.Path}")));
            }
            Directory.Delete(dir, recursive: true);
            """);
        Assert.Equal("Modified:/a", Run(app, "dotnet", "run").Trim());

        var tools = Path.Combine(_work, "tools");
        Run(app, "dotnet", "tool", "install", "--tool-path", tools, "--configfile", Path.Combine(app, "nuget.config"), "NoKV.Cli", "--version", _version);
        // Packed without rebuilding, the tool reports the assembly version the repository builds.
        var built = XDocument.Load(Path.Combine(repo, "Directory.Build.props")).Descendants("Version").Single().Value;
        Assert.StartsWith(built + "+", Run(app, Path.Combine(tools, "nokv"), "--version").Trim(), StringComparison.Ordinal);
    }

    private void AssertPackageContents(string feed)
    {
        foreach (var id in Packages)
        {
            Assert.True(File.Exists(Path.Combine(feed, $"{id}.{_version}.snupkg")), $"{id} has no symbols package");
            using var zip = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{_version}.nupkg"));
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("README.md", entries);
            using var nuspecStream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            var metadata = XDocument.Load(nuspecStream).Root!.Elements().First(e => e.Name.LocalName == "metadata");
            string? Meta(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            Assert.Equal("MIT", Meta("license"));
            Assert.False(string.IsNullOrWhiteSpace(Meta("description")));
            Assert.Contains("copy-on-write", Meta("tags") ?? "", StringComparison.Ordinal);
            Assert.Equal("README.md", Meta("readme"));
            if (id == "NoKV")
            {
                Assert.Contains("runtimes/linux-x64/native/libnokv_lmdb.so", entries);
                Assert.Contains("lib/net10.0/NoKV.Core.xml", entries);
            }
        }
    }

    private string Run(string directory, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"{file} {string.Join(' ', args)} timed out");
        var text = stdout.GetAwaiter().GetResult();
        if (process.ExitCode != 0)
        {
            output.WriteLine(text);
            Assert.Fail($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.GetAwaiter().GetResult()}{text}");
        }
        return text;
    }

    private static string FindRepo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NoKV.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("NoKV.sln not found above the test directory");
    }
}
