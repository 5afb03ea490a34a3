using System.Diagnostics;
using NoKV.Blocks;
using NoKV.Diagnostics;
using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Verify;

namespace NoKV;

public sealed partial class WorkspaceStore
{
    /// <summary>
    /// Checks the whole store and reports every problem found: missing or corrupted blocks,
    /// directory entries to missing inodes, inode versions nothing reaches, a broken layer tree,
    /// wrong reference counts, and blocks no metadata owns. A healthy store reports none.
    /// Reads every block by default, so it costs the store's size.
    /// </summary>
    public VerifyReport Verify(VerifyOptions? options = null) => VerifyAsync(options).GetAwaiter().GetResult();

    /// <inheritdoc cref="Verify"/>
    public async Task<VerifyReport> VerifyAsync(VerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        using var op = Telemetry.Start(StoreOperation.Verify);
        options ??= new VerifyOptions();
        var clock = Stopwatch.StartNew();
        var metadata = _meta.Read(txn =>
        {
            var checker = new MetadataChecker(txn);
            checker.Run();
            return checker;
        });
        var problems = metadata.Problems;

        var buffer = new byte[ChunkSize + 1];
        foreach (var (key, chunk, where, path) in metadata.Blocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var problem = await CheckBlockAsync(key, chunk, options.CheckBlockContents, buffer, cancellationToken).ConfigureAwait(false);
            if (problem is not null && _meta.Read(txn => StillUsed(txn, metadata.LiveUsers[key])))
                problems.Add(problem with { Where = where, Path = path, BlockKey = key });
        }
        if (options.FindOrphanBlocks) await FindOrphanBlocksAsync(problems, cancellationToken).ConfigureAwait(false);

        return op.Complete(new VerifyReport
        {
            Problems = problems,
            ViewsChecked = metadata.Views,
            GenerationsChecked = metadata.Generations,
            BlocksChecked = metadata.Blocks.Count,
            Duration = clock.Elapsed,
        });
    }

    /// <summary>
    /// The metadata check ran in one snapshot, but blocks are read live: GC may have deleted a
    /// block since, rightly, because every version using it went. A missing or damaged block is a
    /// problem only if a generation that used it in the checked snapshot is still named by some
    /// inode record in a fresh one: a generation named by none never is again, and GC deletes its
    /// blocks before its records (so a block-reference entry can outlive the block for a moment,
    /// and must not count as a use).
    /// </summary>
    private static bool StillUsed(MetaTxn txn, List<long> users) =>
        users.Exists(gen => GenerationTable.TryGet(txn, gen) is { RefCount: > 0 });

    private async Task<StoreProblem?> CheckBlockAsync(string key, ChunkRecord chunk, bool contents, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            if (!contents)
            {
                return await Blocks.ExistsAsync(key, cancellationToken).ConfigureAwait(false)
                    ? null
                    : new StoreProblem(StoreProblemKind.BlockMissing, $"Block '{key}' is missing.");
            }
            if (buffer.Length < chunk.Length + 1) buffer = new byte[chunk.Length + 1];
            var read = await Blocks.ReadAsync(key, 0, buffer.AsMemory(0, chunk.Length + 1), cancellationToken).ConfigureAwait(false);
            return ChunkChecksum.Mismatch(chunk, buffer.AsSpan(0, read)) is { } mismatch
                ? new StoreProblem(StoreProblemKind.BlockCorrupted, $"Block '{key}' is corrupted: {mismatch}.")
                : null;
        }
        catch (BlockMissingException)
        {
            return new StoreProblem(StoreProblemKind.BlockMissing, $"Block '{key}' is missing.");
        }
    }

    private async Task FindOrphanBlocksAsync(List<StoreProblem> problems, CancellationToken cancellationToken)
    {
        await foreach (var block in Blocks.ListAsync("", cancellationToken).ConfigureAwait(false))
        {
            if (!BlockKeys.TryParseGeneration(block.Key, out var gen) || _pending.IsInFlight(gen)) continue;
            // A fresh snapshot: a generation published after the metadata check began is not an orphan.
            var known = _meta.Read(txn => BlockRefTable.MinterLive(txn, gen) || txn.Exists(Db.PendingGenerations, Keys.Generation(gen)));
            // GC deletes a dead generation's blocks before its records: a block listed before a
            // GC run and read about after it is gone by now, not an orphan.
            if (!known && !await Blocks.ExistsAsync(block.Key, cancellationToken).ConfigureAwait(false)) continue;
            if (!known) problems.Add(new StoreProblem(StoreProblemKind.OrphanBlock, $"Block '{block.Key}' belongs to no file version.") { BlockKey = block.Key });
        }
    }
}
