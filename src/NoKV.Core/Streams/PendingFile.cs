using NoKV.Lmdb;

namespace NoKV.Streams;

/// <summary>A file whose blocks are uploaded and whose metadata is ready to publish.</summary>
internal sealed record PendingFile(string[] Segments, string Path, long Gen, long BlockInode, long Size, int ChunkSize, IReadOnlyList<ChunkRecord> Chunks, IReadOnlyList<string> BlockKeys);
