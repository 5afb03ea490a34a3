namespace NoKV.Layers;

/// <summary>
/// In-process guard between readers and GC. A read stream leases its generation; GC condemns a
/// generation before deleting its blocks and skips leased ones. A reader whose (older) metadata
/// snapshot still showed a generation that GC has since condemned retries with fresh metadata.
/// </summary>
internal sealed class GenerationLeases
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, int> _leases = [];
    private readonly HashSet<long> _condemned = [];

    public bool TryAcquire(long gen)
    {
        lock (_gate)
        {
            if (_condemned.Contains(gen)) return false;
            _leases[gen] = _leases.GetValueOrDefault(gen) + 1;
            return true;
        }
    }

    public void Release(long gen)
    {
        lock (_gate)
        {
            var count = _leases.GetValueOrDefault(gen) - 1;
            if (count <= 0) _leases.Remove(gen); else _leases[gen] = count;
        }
    }

    public bool TryCondemn(long gen)
    {
        lock (_gate)
        {
            if (_leases.ContainsKey(gen)) return false;
            _condemned.Add(gen);
            return true;
        }
    }

    public void Forget(long gen)
    {
        lock (_gate) _condemned.Remove(gen);
    }
}
