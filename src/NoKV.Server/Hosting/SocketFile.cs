using System.Net.Sockets;

namespace NoKV.Server.Hosting;

/// <summary>
/// The socket file's life: a leftover from a killed owner is replaced, never trusted; a live one
/// means another process serves there, and we refuse. The server binds inside a fresh 0700
/// directory, makes the socket 0600, and only then renames it to its public path, so no other
/// user can connect in between.
/// </summary>
internal static class SocketFile
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlySocket = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>True when something accepts connections at <paramref name="path"/>.</summary>
    public static bool Answers(string path)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Clears the way for a new server at <paramref name="path"/> of the store in <paramref name="storeDirectory"/>.</summary>
    /// <exception cref="StoreLockedException">Another process answers at the socket.</exception>
    public static void RemoveStale(string path, string storeDirectory)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) return;
        var attributes = File.GetAttributes(path);
        if (attributes.HasFlag(FileAttributes.Directory))
            throw new IOException($"{path} is a directory, not a socket; remove it to serve this store");
        if (Answers(path)) throw new StoreLockedException(storeDirectory, $"another process serves {path}");
        File.Delete(path); // a dead owner's socket: nobody answers, so nobody is cut off
    }

    /// <summary>A fresh directory only this user can enter, beside the final socket, to bind in.</summary>
    public static string CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("NoKV serves on Unix domain sockets with Unix permissions (Linux, macOS).");
        var parent = Path.GetDirectoryName(path)!;
        var directory = Path.Combine(parent, $".nokv-sock-{Environment.ProcessId}-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        return directory;
    }

    /// <summary>Makes the bound socket owner-only and moves it to its public path (rename: atomic, same inode).</summary>
    public static void Publish(string boundPath, string path)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("NoKV serves on Unix domain sockets with Unix permissions (Linux, macOS).");
        File.SetUnixFileMode(boundPath, OwnerOnlySocket);
        File.Move(boundPath, path, overwrite: true);
    }

    public static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
            else if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort at shutdown: a leftover socket is replaced by the next owner anyway.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
