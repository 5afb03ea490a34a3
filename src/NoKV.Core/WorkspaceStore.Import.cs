using NoKV.Diagnostics;
using NoKV.Import;
using NoKV.Paths;
using NoKV.Streams;

namespace NoKV;

/// <summary>Bulk import of a real directory: blocks first, then one metadata transaction per batch of files.</summary>
public sealed partial class WorkspaceStore
{
    private const int ImportBatchFiles = 1000;

    internal async Task<ImportResult> ImportAsync(string wsPath, long wsId, string sourceDirectory, string targetPath, IProgress<ImportResult>? progress, CancellationToken cancellationToken)
    {
        using var op = Telemetry.Start(StoreOperation.Import, wsPath).SetTag("nokv.import.target", targetPath);
        ArgumentException.ThrowIfNullOrEmpty(sourceDirectory);
        var source = new DirectoryInfo(Path.GetFullPath(sourceDirectory));
        if (!source.Exists) throw new DirectoryNotFoundException($"Import source '{sourceDirectory}' does not exist.");
        var target = PathRules.Split(targetPath, nameof(targetPath));
        // Its sessions publish in batches after they close: the import itself holds the workspace.
        using var hold = Holds.Hold(wsId, wsPath);
        Mutations.CreateDirectory(new Engine.WorkspaceRef(wsPath, wsId), targetPath);

        var batch = new ImportBatch(this, wsPath, wsId);
        long files = 0, directories = 0, links = 0, totalBytes = 0;
        var skipped = new List<ImportSkip>();
        var buffer = new byte[Math.Min(ChunkSize, 1024 * 1024)];
        ImportResult Totals() => new(files, directories, totalBytes, [.. skipped]) { Links = links };

        // Every entry is looked at and opened relative to its already-open directory, never by a
        // path from the root: a directory swapped for a link after it was listed is not followed
        // out of the source tree (SourceDirectory says where this holds).
        async Task WalkAsync(SourceDirectory dir, string[] at, int atBytes, string relative)
        {
            foreach (var entry in dir.List())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rel = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                // The type is read without opening the entry: links are never followed (one could
                // point outside the source tree), and opening a FIFO would wait for a writer.
                var (type, attributes) = dir.Look(entry);
                if (type != SourceEntryType.SymbolicLink && type.SkipReason() is { } reason) { skipped.Add(new ImportSkip(rel, reason)); continue; }
                var nameBytes = PathRules.ValidateName(entry.Name, "/" + rel, nameof(sourceDirectory));
                string[] segments = [.. at, entry.Name];
                var pathBytes = atBytes + nameBytes + 1;
                if (PathRules.LimitBroken(segments.Length, pathBytes) is { } broken) throw new PathLimitExceededException(PathRules.Join(segments), broken);
                if (type == SourceEntryType.SymbolicLink)
                {
                    // The link itself is stored, its target byte for byte; nothing it names is read.
                    var target = dir.ReadLink(entry, Lmdb.InodeRecord.MaxLinkTargetBytes);
                    if (target is null) { skipped.Add(new ImportSkip(rel, ImportSkipReason.OtherSpecialFile)); continue; }
                    if (!Import.ImportLinkTargets.Storable(target)) { skipped.Add(new ImportSkip(rel, ImportSkipReason.UnsupportedLinkTarget)); continue; }
                    batch.AddLink(segments, target, attributes);
                    links++;
                }
                else if (type == SourceEntryType.Directory)
                {
                    // A directory replaced since it was looked at (by a link above all) is skipped.
                    var (subdirectory, openedDirType) = dir.OpenDirectory(entry);
                    if (subdirectory is null) { skipped.Add(new ImportSkip(rel, openedDirType.SkipReason() ?? ImportSkipReason.OtherSpecialFile)); continue; }
                    using (subdirectory)
                    {
                        batch.AddDirectory(segments);
                        directories++;
                        await WalkAsync(subdirectory, segments, pathBytes, rel).ConfigureAwait(false);
                    }
                    // Post-order: set after every entry below it, since adding an entry moves a
                    // directory's modification time.
                    batch.SetAttributes(segments, attributes);
                }
                else
                {
                    // Opened so that it cannot block either: a file replaced by a FIFO since it was
                    // looked at is found out on the open descriptor and skipped.
                    var (file, openedType) = dir.OpenRegularFile(entry);
                    if (file is null) { skipped.Add(new ImportSkip(rel, openedType.SkipReason() ?? ImportSkipReason.OtherSpecialFile)); continue; }
                    await using (file.ConfigureAwait(false))
                    {
                        // A half-read source file must not join the batch; the failure is thrown as it is.
                        await new WorkspaceWriteStream(this, wsPath, wsId, segments, PathRules.Join(segments), pending => batch.Add(pending, attributes)).WriteThenCommitAsync(async session =>
                        {
                            int n;
                            while ((n = await file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                            {
                                await session.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                                totalBytes += n;
                            }
                        }).ConfigureAwait(false);
                    }
                    files++;
                }
                if (batch.Count >= ImportBatchFiles)
                {
                    await batch.FlushAsync().ConfigureAwait(false);
                    progress?.Report(Totals());
                }
            }
        }

        try
        {
            using var root = SourceDirectory.OpenRoot(source.FullName);
            await WalkAsync(root, target, PathRules.PathBytes(target), "").ConfigureAwait(false);
            // The target directory takes the source root's attributes, as cp -a and rsync -a do.
            batch.SetAttributes(target, root.LookSelf());
            await batch.FlushAsync().ConfigureAwait(false);
            progress?.Report(Totals());
        }
        catch (Exception e)
        {
            op.Fail(e);
            await batch.AbandonAsync().ConfigureAwait(false);
            throw;
        }
        return op.Complete(Totals());
    }

    /// <summary>Files uploaded but not yet published, and the directories to create with them.</summary>
    private sealed class ImportBatch(WorkspaceStore store, string wsPath, long wsId)
    {
        private readonly List<PendingFile> _files = [];
        private readonly List<Import.SourceEntryAttributes> _fileAttributes = [];
        private readonly List<string[]> _directories = [];
        private readonly List<(string[] Segments, byte[] Target, Import.SourceEntryAttributes Attributes)> _links = [];
        private readonly List<(string[] Segments, Import.SourceEntryAttributes Attributes)> _directoryAttributes = [];

        public int Count => _files.Count + _directories.Count + _links.Count + _directoryAttributes.Count;

        public void Add(PendingFile file, Import.SourceEntryAttributes attributes)
        {
            _files.Add(file);
            _fileAttributes.Add(attributes);
        }

        public void AddDirectory(string[] segments) => _directories.Add(segments);

        public void AddLink(string[] segments, byte[] target, Import.SourceEntryAttributes attributes) => _links.Add((segments, target, attributes));

        /// <summary>Attributes for a directory whose entries have all been added (applied after them).</summary>
        public void SetAttributes(string[] segments, Import.SourceEntryAttributes attributes) => _directoryAttributes.Add((segments, attributes));

        public async Task FlushAsync()
        {
            if (Count == 0) return;
            try
            {
                store.Mutations.WithHead(new Engine.WorkspaceRef(wsPath, wsId), (writer, ws) =>
                {
                    foreach (var dir in _directories) Engine.NamespaceEdits.EnsureDirectory(writer, store.Ids, dir);
                    for (var i = 0; i < _files.Count; i++)
                    {
                        var file = _files[i];
                        Engine.Publish.IntoDirectory(writer, ws.Id, Engine.NamespaceEdits.EnsureDirectory(writer, store.Ids, file.Segments[..^1]), file, _fileAttributes[i].ToChange(isLink: false));
                    }
                    foreach (var (segments, target, attributes) in _links) Import.ImportLinkTargets.Put(writer, store, ws.Id, segments, target, attributes);
                    // Last: every entry these directories will hold has been added above or in an earlier batch.
                    foreach (var (segments, attributes) in _directoryAttributes)
                        Engine.NamespaceEdits.SetAttributes(writer, Engine.NamespaceEdits.EnsureDirectory(writer, store.Ids, segments), attributes.ToChange(isLink: false), PathRules.Join(segments));
                    return true;
                });
            }
            catch
            {
                await AbandonAsync().ConfigureAwait(false);
                throw;
            }
            foreach (var file in _files) store.Pending.Finished(file.Gen);
            Clear();
        }

        /// <summary>Deletes the blocks of files that will never be published.</summary>
        public async Task AbandonAsync()
        {
            foreach (var file in _files.Where(f => f.BlockKeys.Count > 0))
            {
                // A batch commit that reported an error after landing published these: they stay.
                await NoKV.Blocks.BlockCleanup.DiscardUnpublishedAsync(store.Meta, store.Blocks, store.Pending, file.Gen, file.BlockKeys).ConfigureAwait(false);
            }
            Clear();
        }

        private void Clear()
        {
            _files.Clear();
            _fileAttributes.Clear();
            _directories.Clear();
            _links.Clear();
            _directoryAttributes.Clear();
        }
    }
}
