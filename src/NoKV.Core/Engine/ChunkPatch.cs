namespace NoKV.Engine;

/// <summary>
/// The next version of a file, described as changes to an open version (<see cref="Basis"/>):
/// its length becomes <see cref="Size"/>; bytes of the basis at or past <see cref="KeepBelow"/>
/// are gone (a truncate cut them; they read as zeros if the file grows again); and each entry of
/// <see cref="Chunks"/> replaces one whole chunk (index in the basis's chunk size): its bytes,
/// then zeros up to the chunk's end or <see cref="Size"/>. Every other chunk is the basis's,
/// shared when it is whole and unchanged.
/// </summary>
internal sealed record ChunkPatch(OpenVersion Basis, long KeepBelow, long Size, IReadOnlyDictionary<long, ReadOnlyMemory<byte>> Chunks);
