using System.Text;
using Microsoft.Win32.SafeHandles;

namespace NoKV.Import;

/// <summary>
/// An import source directory held open by a descriptor. It is listed from that descriptor, and
/// each entry is looked at and opened relative to it with O_NOFOLLOW: once a directory is open, no
/// rename or link swapped in above or at one of its entries can make the import read anything but
/// what that directory holds. A subdirectory swapped for a link is reported as a link and skipped.
/// </summary>
internal sealed class LinuxSourceDirectory : SourceDirectory
{
    private readonly SafeFileHandle _fd;
    private readonly string _path; // for error messages only: nothing is opened by it
    private readonly LinuxCalls.OpenFlags _flags;

    private LinuxSourceDirectory(SafeFileHandle fd, string path, LinuxCalls.OpenFlags flags)
    {
        _fd = fd;
        _path = path;
        _flags = flags;
    }

    /// <summary>Opens the root by its path with O_DIRECTORY.</summary>
    public static LinuxSourceDirectory OpenRoot(string fullPath, LinuxCalls.OpenFlags flags)
    {
        var (fd, errno) = LinuxCalls.Owned(LinuxCalls.Open(Encoding.UTF8.GetBytes(fullPath + "\0"), LinuxCalls.ReadOnly | flags.Directory | LinuxCalls.CloseOnExec));
        if (fd is not null) return new LinuxSourceDirectory(fd, fullPath, flags);
        if (errno is LinuxCalls.ENoEnt or LinuxCalls.ENotDir) throw new DirectoryNotFoundException($"Import source '{fullPath}' does not exist.");
        throw SourceFiles.Failure("open", fullPath, errno);
    }

    public override IReadOnlyList<SourceEntryName> List()
    {
        var (names, errno) = LinuxCalls.ReadNames(_fd, _flags);
        if (errno != 0) throw SourceFiles.Failure("readdir", _path, errno);
        return [.. names.Select(n => new SourceEntryName(Decode(n), n)).OrderBy(e => e.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// A listed name as a string. A name that is not UTF-8 is refused rather than imported under a
    /// replacement character, where two different names could become one.
    /// </summary>
    private string Decode(byte[] nativeName)
    {
        try { return StrictUtf8.GetString(nativeName, 0, nativeName.Length - 1); }
        catch (DecoderFallbackException)
        {
            var shown = _path + "/" + Encoding.UTF8.GetString(nativeName, 0, nativeName.Length - 1);
            throw new InvalidPathException(shown, "the import source has a name that is not valid UTF-8");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public override SourceEntryLook Look(SourceEntryName entry)
    {
        var (mode, attributes, errno) = LinuxCalls.StatAttributes(_fd, entry.NativeName, LinuxCalls.SymlinkNoFollow);
        if (errno != 0) throw SourceFiles.Failure("statx", PathOf(entry), errno);
        return new SourceEntryLook(SourceEntryTypeExtensions.FromMode(mode), attributes);
    }

    public override SourceEntryAttributes LookSelf()
    {
        var (_, attributes, errno) = LinuxCalls.StatAttributes(_fd, [0], LinuxCalls.EmptyPath);
        if (errno != 0) throw SourceFiles.Failure("statx", _path, errno);
        return attributes;
    }

    public override byte[]? ReadLink(SourceEntryName entry, int limit)
    {
        // readlinkat relative to this directory: the link itself is read, never what it names.
        var (target, errno) = LinuxCalls.ReadLink(_fd, entry.NativeName, limit);
        if (target is not null) return target;
        if (errno == LinuxCalls.EInval) return null; // replaced by something that is not a link
        throw SourceFiles.Failure("readlinkat", PathOf(entry), errno);
    }

    public override (SourceDirectory? Directory, SourceEntryType Type) OpenDirectory(SourceEntryName entry)
    {
        // O_NOFOLLOW: a directory swapped for a link since it was looked at fails with ELOOP
        // instead of being followed; O_DIRECTORY: one swapped for anything else fails with ENOTDIR.
        var (fd, errno) = LinuxCalls.Owned(LinuxCalls.OpenAt(_fd, entry.NativeName, LinuxCalls.ReadOnly | _flags.Directory | _flags.NoFollow | LinuxCalls.CloseOnExec));
        if (fd is not null) return (new LinuxSourceDirectory(fd, PathOf(entry), _flags), SourceEntryType.Directory);
        return errno switch
        {
            LinuxCalls.ELoop => (null, SourceEntryType.SymbolicLink),
            LinuxCalls.ENotDir => (null, TypeOf(entry) is var now && now != SourceEntryType.Directory ? now : SourceEntryType.Other),
            _ => throw SourceFiles.Failure("openat", PathOf(entry), errno),
        };
    }

    public override (FileStream? Stream, SourceEntryType Type) OpenRegularFile(SourceEntryName entry)
    {
        // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer (reads of a
        // regular file ignore the flag). O_NOFOLLOW: a file swapped for a link is not followed.
        var (fd, errno) = LinuxCalls.Owned(LinuxCalls.OpenAt(_fd, entry.NativeName, LinuxCalls.ReadOnly | LinuxCalls.NonBlock | _flags.NoFollow | LinuxCalls.CloseOnExec));
        if (fd is null)
        {
            return errno switch
            {
                LinuxCalls.ELoop => (null, SourceEntryType.SymbolicLink),
                LinuxCalls.ENxio => (null, SourceEntryType.Socket), // a socket cannot be opened
                _ => throw SourceFiles.Failure("openat", PathOf(entry), errno),
            };
        }
        try
        {
            // The type that counts is the open descriptor's: a file swapped for a FIFO is caught here.
            var (mode, statErrno) = LinuxCalls.StatMode(fd, [0], LinuxCalls.EmptyPath);
            if (statErrno != 0) throw SourceFiles.Failure("statx", PathOf(entry), statErrno);
            var type = SourceEntryTypeExtensions.FromMode(mode);
            if (type != SourceEntryType.RegularFile)
            {
                fd.Dispose();
                return (null, type);
            }
            return (new FileStream(fd, FileAccess.Read, 1), type);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    public override void Dispose() => _fd.Dispose();

    private string PathOf(SourceEntryName entry) => _path + "/" + entry.Name;
}
