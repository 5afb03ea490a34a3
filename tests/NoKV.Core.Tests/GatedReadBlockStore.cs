using System.Collections.Concurrent;

namespace NoKV.Tests;

/// <summary>
/// A real block store whose reads a test can hold back by chunk index (the key's last segment),
/// and which records which chunks were read and how many reads ran at once. Used to catch a read
/// stream in the middle of its read-ahead.
/// </summary>
public sealed class GatedReadBlockStore(IBlockStore inner) : DecoratedBlockStore(inner)
{
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _gates = new();
    private int _running;
    private int _maxRunning;

    /// <summary>The chunk index of every read, in the order the reads started.</summary>
    public ConcurrentQueue<int> ReadChunks { get; } = new();

    /// <summary>The most reads that ran at the same time.</summary>
    public int MaxConcurrentReads => Volatile.Read(ref _maxRunning);

    /// <summary>Reads of chunk <paramref name="index"/> wait until <see cref="Open"/> (or <see cref="OpenAll"/>).</summary>
    public void Close(int index) => _gates[index] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets reads of chunk <paramref name="index"/> through.</summary>
    public void Open(int index)
    {
        if (_gates.TryRemove(index, out var gate)) gate.TrySetResult();
    }

    /// <summary>Lets every held read through.</summary>
    public void OpenAll()
    {
        foreach (var index in _gates.Keys) Open(index);
    }

    /// <summary>Forgets what was read.</summary>
    public void ResetCounts()
    {
        ReadChunks.Clear();
        Volatile.Write(ref _maxRunning, 0);
    }

    public override async ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var index = int.Parse(key[(key.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        ReadChunks.Enqueue(index);
        var running = Interlocked.Increment(ref _running);
        try
        {
            int seen;
            while (running > (seen = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, seen) != seen) { }
            if (_gates.TryGetValue(index, out var gate)) await gate.Task.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            return await Inner.ReadAsync(key, offset, destination, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
