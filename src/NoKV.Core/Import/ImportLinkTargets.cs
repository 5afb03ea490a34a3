using System.Text;
using NoKV.Engine;
using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;

namespace NoKV.Import;

/// <summary>How an import stores a source symbolic link: its target byte for byte, as a link.</summary>
internal static class ImportLinkTargets
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// True when NoKV can hold this target exactly: 1 to 4,095 bytes of valid UTF-8 without NUL
    /// (a target is kept as a string in the API, so bytes that are not UTF-8 would not survive).
    /// </summary>
    public static bool Storable(byte[] target)
    {
        if (target.Length is 0 or > InodeRecord.MaxLinkTargetBytes || target.AsSpan().Contains((byte)0)) return false;
        try
        {
            _ = StrictUtf8.GetCharCount(target);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>
    /// The link at <paramref name="segments"/> (parents created), replacing a file or link already
    /// there as the import replaces files; then the source's owner and modification time.
    /// </summary>
    /// <exception cref="NotAFileException">A directory has the name.</exception>
    public static void Put(HeadWriter writer, WorkspaceStore store, long wsId, string[] segments, byte[] target, SourceEntryAttributes attributes)
    {
        var path = PathRules.Join(segments);
        var parent = NamespaceEdits.EnsureDirectory(writer, store.Ids, segments[..^1]);
        var name = segments[^1];
        if (NamespaceTree.Lookup(writer.Txn, writer.View, parent, PathRules.NameBytes(name), path) is { } existing)
        {
            if (existing.Record.IsDirectory) throw new NotAFileException(path, NodeKind.Directory);
            NamespaceEdits.Remove(writer, parent, name, RemoveMode.File, path);
        }
        var ino = NamespaceEdits.Create(writer, store.Ids, parent, name, RecordKind.SymbolicLink, wsId, store.ChunkSize, target);
        NamespaceEdits.SetAttributes(writer, ino, attributes.ToChange(isLink: true), path);
    }
}
