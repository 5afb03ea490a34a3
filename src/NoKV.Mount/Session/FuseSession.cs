using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using NoKV.Mount.FileSystem;
using NoKV.Mount.Interop;
using NoKV.Mount.Protocol;

namespace NoKV.Mount.Session;

/// <summary>
/// One mount's FUSE session, spoken on /dev/fuse directly (no libfuse): mount(2), the INIT
/// handshake, one reader thread that blocks in read(2) and hands each request to the thread
/// pool (replies go out by write(2) from whichever thread finishes), and unmount. Many mounts per
/// process are many sessions, one reader thread each.
/// </summary>
internal sealed class FuseSession
{
    /// <summary>Requests this small are copied out of the big read buffer, which is then reused for the next read.</summary>
    private const int SmallRequest = 64 * 1024;

    private readonly MountedFileSystem _fileSystem;
    private readonly FuseConnection _connection;
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Requests being handled, plus one for the reader loop itself: zero once all are done.
    private int _inFlight = 1;
    private int _unmounting;
    private string? _device;

    private FuseSession(MountedFileSystem fileSystem, FuseConnection connection, string directory, ILogger logger)
    {
        _fileSystem = fileSystem;
        _connection = connection;
        _directory = directory;
        _logger = logger;
    }

    public Task Completion => _completion.Task;

    public static async Task<FuseSession> StartAsync(MountedFileSystem fileSystem, string directory, MountOptions options, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux()) throw new MountFailedException(directory, "FUSE mounts need Linux.", NoKVErrorKind.Unsupported);
        if (!Directory.Exists(directory)) throw new MountFailedException(directory, "the directory does not exist.", NoKVErrorKind.NotFound);
        if (!File.Exists("/dev/fuse")) throw new MountFailedException(directory, "/dev/fuse is missing (load the fuse module; in a container, pass --device /dev/fuse).", NoKVErrorKind.Unsupported);
        var uid = Libc.GetEffectiveUserId();
        var gid = Libc.GetEffectiveGroupId();
        if (uid != 0) throw new MountFailedException(directory, "mounting needs root for now (mount(2) needs CAP_SYS_ADMIN; mounting through fusermount3 as another user is not implemented yet).", NoKVErrorKind.Unsupported);

        var fd = Libc.Open("/dev/fuse", Libc.O_RDWR | Libc.O_CLOEXEC);
        if (fd < 0) throw new MountFailedException(directory, $"opening /dev/fuse failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        var data = $"fd={fd},rootmode=40000,user_id={uid},group_id={gid},default_permissions{(options.AllowOther ? ",allow_other" : "")}";
        var flags = Libc.MS_NOSUID | Libc.MS_NODEV | (fileSystem.View.IsReadOnly ? Libc.MS_RDONLY : 0);
        if (Libc.Mount("nokv", directory, "fuse.nokv", flags, data) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Libc.Close(fd);
            throw new MountFailedException(directory, $"mount(2) failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        var logger = fileSystem.Logger;
        var connection = new FuseConnection(fd, logger);
        fileSystem.Connection = connection;
        var session = new FuseSession(fileSystem, connection, directory, logger);
        var reader = new Thread(session.ReadLoop, maxStackSize: 256 * 1024) { IsBackground = true, Name = "nokv-fuse " + directory };
        reader.Start();
        try
        {
            // The kernel queued INIT at mount; once it is answered, the directory is usable.
            await session._initialized.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await session.UnmountAsync().ConfigureAwait(false);
            throw;
        }
        session._device = FuseConnections.DeviceOf(directory);
        RaiseReadAhead(session._device);
        MountLog.Mounted(logger, fileSystem.Name, directory);
        return session;
    }

    /// <summary>
    /// Sequential reads ask for read-ahead-sized pieces, one round trip each: the kernel's FUSE
    /// default is 128 KiB; up to one request's worth (1 MiB) is allowed as root. Best effort.
    /// </summary>
    private static void RaiseReadAhead(string? device)
    {
        if (device is null) return;
        try
        {
            File.WriteAllText($"/sys/class/bdi/{device}/read_ahead_kb", (FuseConstants.MaxWrite / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    public async Task UnmountAsync()
    {
        if (Interlocked.Exchange(ref _unmounting, 1) == 0 && !_completion.Task.IsCompleted)
        {
            // Publish what open files hold first: a detach below may cut the handles off.
            await _fileSystem.PublishAllDurablyAsync().ConfigureAwait(false);
            if (Libc.Unmount(_directory, 0) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EBUSY)
                {
                    Libc.Unmount(_directory, Libc.MNT_DETACH);
                    FuseConnections.Abort(_directory, _device);
                    MountLog.Detached(_logger, _directory);
                }
                else if (errno != Errno.EINVAL) // EINVAL: no longer mounted (an external umount won)
                {
                    throw new MountFailedException(_directory, $"umount2 failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
                }
            }
        }
        await Completion.ConfigureAwait(false);
    }

    private void ReadLoop()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(FuseConstants.BufferSize);
        try
        {
            while (true)
            {
                var length = _connection.ReadRequest(buffer);
                if (length == 0) break;
                var request = Take(ref buffer, length);
                switch (request.Opcode)
                {
                    case FuseOpcode.Init:
                        using (request) Initialize(request);
                        continue;
                    case FuseOpcode.Forget or FuseOpcode.BatchForget or FuseOpcode.Interrupt:
                        // Node ids are inodes, with no per-lookup state to drop; interrupts are
                        // not acted on (every operation is short or must finish to stay whole).
                        request.Dispose();
                        continue;
                }
                Interlocked.Increment(ref _inFlight);
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.Session.Dispatch(state.Request), (Session: this, Request: request), preferLocal: false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _ = FinishAsync();
        }
    }

    /// <summary>A small request gets its own small buffer, so the big one is read into again; a big one (a WRITE) keeps it.</summary>
    private FuseRequest Take(ref byte[] buffer, int length)
    {
        if (length <= SmallRequest)
        {
            var small = ArrayPool<byte>.Shared.Rent(length);
            buffer.AsSpan(0, length).CopyTo(small);
            return new FuseRequest(_connection, small, length);
        }
        var request = new FuseRequest(_connection, buffer, length);
        buffer = ArrayPool<byte>.Shared.Rent(FuseConstants.BufferSize);
        return request;
    }

    private async void Dispatch(FuseRequest request)
    {
        try
        {
            using (request) await _fileSystem.HandleAsync(request).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // HandleAsync answers every failure itself; this is a bug, and the request got no reply.
            MountLog.OperationFailed(_logger, e, request.Opcode.ToString(), request.Header.NodeId);
        }
        finally
        {
            RequestDone();
        }
    }

    private void RequestDone()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0) _drained.TrySetResult();
    }

    private void Initialize(FuseRequest request)
    {
        var init = request.Read<FuseInitIn>();
        if (init.Major != FuseConstants.KernelVersion || init.Minor < 12)
        {
            request.ReplyError(Errno.EPROTO);
            _initialized.TrySetException(new MountFailedException(_directory, $"the kernel speaks FUSE {init.Major}.{init.Minor}; 7.12 or later is needed."));
            return;
        }
        // No FUSE_WRITEBACK_CACHE: with it the kernel trusts its own size and times of a regular
        // file over the mount's, so a rollback or a write through the Workspace API that changes
        // a file's length could not be shown by invalidation (see ARCHITECTURE, the mount).
        const uint wanted = FuseConstants.AsyncRead | FuseConstants.AtomicOTrunc | FuseConstants.BigWrites
            | FuseConstants.DoReadDirPlus | FuseConstants.ParallelDirOps | FuseConstants.MaxPages | FuseConstants.CacheSymlinks;
        var reply = new FuseInitOut
        {
            Major = FuseConstants.KernelVersion,
            Minor = Math.Min(init.Minor, FuseConstants.KernelMinorVersion),
            MaxReadahead = init.MaxReadahead,
            Flags = init.Flags & wanted,
            MaxBackground = 64,
            CongestionThreshold = 48,
            MaxWrite = FuseConstants.MaxWrite,
            TimeGran = 100, // NoKV keeps times in 100 ns ticks
            MaxPages = FuseConstants.MaxWrite / 4096,
        };
        request.Reply(in reply);
        _initialized.TrySetResult();
    }

    private async Task FinishAsync()
    {
        // No more requests will come; let the ones running finish, then publish what is left.
        RequestDone();
        await _drained.Task.ConfigureAwait(false);
        try
        {
            await _fileSystem.ShutdownAsync().ConfigureAwait(false);
        }
        finally
        {
            _connection.Close();
            _initialized.TrySetException(new MountFailedException(_directory, "the mount ended before the kernel finished setting it up."));
            MountLog.Unmounted(_logger, _directory);
            _completion.TrySetResult();
        }
    }
}
