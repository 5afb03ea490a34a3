namespace NoKV.Mount.Protocol;

/// <summary>Flag and limit values of the kernel FUSE protocol (linux/fuse.h) that the session uses.</summary>
internal static class FuseConstants
{
    public const uint KernelVersion = 7;
    /// <summary>The protocol minor version this implementation speaks (7.31: max_pages, the 64-byte init reply).</summary>
    public const uint KernelMinorVersion = 31;
    public const ulong RootId = 1;

    // fuse_init_in/out flags
    public const uint AsyncRead = 1 << 0;
    public const uint AtomicOTrunc = 1 << 3;
    public const uint BigWrites = 1 << 5;
    public const uint DoReadDirPlus = 1 << 13;
    public const uint ParallelDirOps = 1 << 18;
    public const uint MaxPages = 1 << 22;
    public const uint CacheSymlinks = 1 << 23;

    // fuse_open_out open_flags
    public const uint FopenKeepCache = 1 << 1;
    public const uint FopenCacheDir = 1 << 3;
    public const uint FopenNoFlush = 1 << 5;

    // notification codes (sent with unique 0, the code in the error field)
    public const int NotifyInvalInode = 2;
    public const int NotifyInvalEntry = 3;

    // setattr valid bits
    public const uint SetMode = 1 << 0;
    public const uint SetUid = 1 << 1;
    public const uint SetGid = 1 << 2;
    public const uint SetSize = 1 << 3;
    public const uint SetMTime = 1 << 5;
    public const uint SetFh = 1 << 6;
    public const uint SetMTimeNow = 1 << 8;

    // rename2 flags
    public const uint RenameNoReplace = 1 << 0;
    public const uint RenameExchange = 1 << 1;

    // open(2) flags as the kernel passes them
    public const uint OAccModeMask = 3;
    public const uint OReadOnly = 0;
    public const uint OCreat = 0x40;
    public const uint OExcl = 0x80;
    public const uint OTrunc = 0x200;
    public const uint OAppend = 0x400;
    public const uint ODirect = 0x4000;

    // file type bits of st_mode, and dirent types
    public const uint SIfDir = 0x4000;
    public const uint SIfReg = 0x8000;
    public const uint SIfLnk = 0xA000;
    public const uint SIfMt = 0xF000;
    public const uint DtDir = 4;
    public const uint DtReg = 8;
    public const uint DtLnk = 10;

    /// <summary>Largest WRITE payload the session accepts: 256 pages (1 MiB), so a big write is few requests.</summary>
    public const int MaxWrite = 256 * 4096;

    /// <summary>A read buffer holds the largest request: a WRITE of <see cref="MaxWrite"/> plus its headers.</summary>
    public const int BufferSize = MaxWrite + 4096;
}
