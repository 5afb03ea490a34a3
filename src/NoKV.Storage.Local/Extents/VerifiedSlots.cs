using System.Collections.Concurrent;

namespace NoKV.Storage.Local.Extents;

/// <summary>
/// Slots whose bytes this store has checked against their entry's hash (or written itself), by the
/// put's nonce: a slot is hashed on its first read after the store opens, not on every read. A
/// slot rewritten after a delete has a new nonce, so it is checked again. Bounded: past
/// <see cref="Capacity"/> entries the set starts over (slots are then checked once more).
/// </summary>
internal sealed class VerifiedSlots
{
    public const int Capacity = 1 << 16;

    private readonly ConcurrentDictionary<(string File, int Slot), ulong> _nonces = new();

    public bool IsVerified(string file, int slot, ulong nonce) => _nonces.TryGetValue((file, slot), out var known) && known == nonce;

    public void MarkVerified(string file, int slot, ulong nonce)
    {
        if (_nonces.Count >= Capacity) _nonces.Clear();
        _nonces[(file, slot)] = nonce;
    }

    public void Forget(string file, int slot) => _nonces.TryRemove((file, slot), out _);
}
