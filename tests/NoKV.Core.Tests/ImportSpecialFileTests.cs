using System.Diagnostics;
using System.Net.Sockets;

namespace NoKV.Tests;

/// <summary>
/// Import copies directories and regular files only. Special files — a FIFO, a Unix socket, a
/// device — are recognised without being opened, reported in <see cref="ImportResult.Skipped"/>
/// and never imported; above all, an import never blocks on one. Every import here runs on a
/// worker thread under a timeout, so a regression fails the test instead of hanging it.
/// </summary>
public sealed class ImportSpecialFileTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempStore _temp = new();
    private readonly string _source = Path.Combine(Path.GetTempPath(), "nokv-special-" + Guid.NewGuid().ToString("N")[..8]);

    public ImportSpecialFileTests() => Directory.CreateDirectory(_source);

    public void Dispose()
    {
        _temp.Dispose();
        Directory.Delete(_source, recursive: true);
    }

    [SkippableFact]
    public async Task A_fifo_is_skipped_without_being_opened()
    {
        Skip.If(OperatingSystem.IsWindows(), "FIFOs are a Unix file type");
        await File.WriteAllTextAsync(Path.Combine(_source, "before"), "b");
        Directory.CreateDirectory(Path.Combine(_source, "sub"));
        var fifo = Path.Combine(_source, "sub", "pipe");
        Run("mkfifo", fifo);
        await File.WriteAllTextAsync(Path.Combine(_source, "sub", "z-after"), "a");

        var ws = _temp.Store.CreateWorkspace("/base");
        var result = await ImportWithin(ws, fifo);

        Assert.Equal([new ImportSkip("sub/pipe", ImportSkipReason.NamedPipe)], result.Skipped);
        Assert.Empty(result.SkippedLinks);
        Assert.Equal(2, result.Files);
        Assert.False(ws.Exists("/sub/pipe"));
        Assert.Equal("a", await ws.ReadText("/sub/z-after"));
    }

    [SkippableFact]
    public async Task A_unix_socket_is_skipped_and_the_rest_imported()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix domain socket files are a Unix file type");
        var socketPath = Path.Combine(_source, "app.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        socket.Listen();
        await File.WriteAllTextAsync(Path.Combine(_source, "data"), "d");

        var ws = _temp.Store.CreateWorkspace("/base");
        var result = await ImportWithin(ws, fifoToRelease: null);

        Assert.Equal([new ImportSkip("app.sock", ImportSkipReason.Socket)], result.Skipped);
        Assert.Equal(["data"], ws.List("/").Select(n => n.Name));
    }

    [SkippableFact]
    public async Task A_character_device_is_skipped_without_being_opened()
    {
        Skip.If(OperatingSystem.IsWindows(), "device files are a Unix file type");
        var device = Path.Combine(_source, "null");
        // A copy of /dev/null (1:3); creating device nodes needs CAP_MKNOD.
        Skip.IfNot(TryRun("mknod", device, "c", "1", "3"), "mknod is not permitted here");
        await File.WriteAllTextAsync(Path.Combine(_source, "data"), "d");

        var ws = _temp.Store.CreateWorkspace("/base");
        var result = await ImportWithin(ws, fifoToRelease: null);

        Assert.Equal([new ImportSkip("null", ImportSkipReason.CharacterDevice)], result.Skipped);
        Assert.Equal(["data"], ws.List("/").Select(n => n.Name));
    }

    [SkippableFact]
    public async Task Links_are_imported_and_special_files_reported_in_order()
    {
        Skip.If(OperatingSystem.IsWindows(), "FIFOs are a Unix file type");
        Run("mkfifo", Path.Combine(_source, "a-pipe"));
        File.CreateSymbolicLink(Path.Combine(_source, "b-link"), "/etc/hostname");
        await File.WriteAllTextAsync(Path.Combine(_source, "c-file"), "c");

        var ws = _temp.Store.CreateWorkspace("/base");
        var result = await ImportWithin(ws, Path.Combine(_source, "a-pipe"));

        // Links are imported as links since issue 14; the pipe alone is skipped.
        Assert.Equal([new ImportSkip("a-pipe", ImportSkipReason.NamedPipe)], result.Skipped);
        Assert.Empty(result.SkippedLinks);
        Assert.Equal(["b-link", "c-file"], ws.List("/").Select(n => n.Name));
    }

    [SkippableFact]
    public async Task A_file_swapped_for_a_fifo_after_it_was_looked_at_is_caught_on_open_not_waited_on()
    {
        // The race between reading an entry's type and opening it: the open itself must not block.
        Skip.If(OperatingSystem.IsWindows(), "FIFOs are a Unix file type");
        var fifo = Path.Combine(_source, "swapped");
        Run("mkfifo", fifo);
        var open = Task.Run(() => Import.SourceFiles.OpenRegular(fifo));
        var (stream, type) = await open.WaitAsync(Timeout);
        Assert.Null(stream);
        Assert.Equal(Import.SourceEntryType.NamedPipe, type);

        var regular = Path.Combine(_source, "regular");
        await File.WriteAllBytesAsync(regular, TestData.Bytes(100_000, 7));
        var (file, fileType) = Import.SourceFiles.OpenRegular(regular);
        await using (file!)
        {
            Assert.Equal(Import.SourceEntryType.RegularFile, fileType);
            var copy = new MemoryStream();
            await file!.CopyToAsync(copy);
            Assert.Equal(TestData.Bytes(100_000, 7), copy.ToArray());
        }
    }

    /// <summary>
    /// Imports the source on a worker thread (a blocking open would otherwise block the caller
    /// before any task exists) and fails after <see cref="Timeout"/>. On a timeout it opens the
    /// FIFO for writing, which releases the blocked reader, so no thread is left stuck.
    /// </summary>
    private async Task<ImportResult> ImportWithin(Workspace ws, string? fifoToRelease)
    {
        var import = Task.Run(() => ws.ImportAsync(_source));
        try
        {
            return await import.WaitAsync(Timeout);
        }
        catch (TimeoutException) when (fifoToRelease is not null)
        {
            using (new FileStream(fifoToRelease, FileMode.Open, FileAccess.Write)) { }
            await import.WaitAsync(Timeout);
            throw new TimeoutException($"ImportAsync blocked on the FIFO '{fifoToRelease}' for {Timeout.TotalSeconds:0} s (it opened it and waited for a writer).");
        }
    }

    private static void Run(string file, params string[] args)
    {
        if (!TryRun(file, args)) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed");
    }

    private static bool TryRun(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }
}
