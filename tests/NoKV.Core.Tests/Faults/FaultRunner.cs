using NoKV.Tests.Model;

namespace NoKV.Tests.Faults;

/// <summary>
/// Runs a scenario against a real store whose block store and metadata commits fail on a
/// schedule, beside a model. Each step, with the faults armed, either succeeds (the store must
/// then show the model after the step), is refused by NoKV (the model must agree the step is
/// invalid, and the store must show the model before it), or hits an injected fault (the store
/// must show the model before or after the step: every file reads its old or its new bytes,
/// nothing torn, nothing lost). After every step, disarmed, Verify may find nothing but orphan
/// blocks pending GC. At the end a full GC must leave Verify clean, and dropping everything and
/// collecting must leave no block and no record.
/// </summary>
public sealed class FaultRunner : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    private readonly TempStore _temp;
    private readonly FaultInjector _faults;
    private readonly List<long> _pinOrder = [];
    private readonly List<(string Path, long Incarnation, Workspace Handle)> _handles = [];
    private FaultModel _model = new();
    private long _ids;
    private long _version;

    public FaultRunner(FaultInjector faults, Func<string, IBlockStore> blocks)
    {
        _faults = faults;
        _temp = new TempStore(blocks: dir => new ScheduledFaultBlockStore(blocks(dir), faults), inlineThreshold: TempStore.ProductInline);
        _faults.Install(Store);
    }

    private WorkspaceStore Store => _temp.Store;

    public int Succeeded { get; private set; }
    public int Refused { get; private set; }
    public int Faulted { get; private set; }
    public int FaultedButLanded { get; private set; }

    public void Dispose() => _temp.Dispose();

    private static string Ws(int i) => $"/w{i}";

    public void Run(IReadOnlyList<FaultOp> ops)
    {
        for (var i = 0; i < ops.Count; i++)
        {
            try
            {
                Step(ops[i]);
                CheckVerify(allowOrphans: true);
            }
            catch (Exception e) when (e is not ModelMismatchException)
            {
                throw new ModelMismatchException($"step {i} ({ops[i]}): {e.GetType().Name}: {e.Message}", e);
            }
            catch (ModelMismatchException e)
            {
                throw new ModelMismatchException($"step {i} ({ops[i]}): {e.Message}", e);
            }
        }
        CheckTheEnd();
    }

    private void Step(FaultOp op)
    {
        if (op is FReopen)
        {
            _temp.Reopen();
            _faults.Install(Store);
            _handles.Clear(); // handles belong to the closed instance
            Expect(Observe().Difference(_model), "after reopening");
            return;
        }
        if (op is FKeepHandle(var keep))
        {
            if (_model.Workspaces.TryGetValue(Ws(keep), out var kept)) _handles.Add((Ws(keep), kept.Incarnation, Store.OpenWorkspace(Ws(keep))));
            return;
        }
        if (!Resolvable(op)) return;

        var before = _model;
        var after = Apply(before.Copy(), op);
        Exception? error = null;
        long? pinTaken = null;
        _faults.Armed = true;
        try
        {
            pinTaken = Task.Run(() => Execute(op)).WaitAsync(StepTimeout).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            throw new ModelMismatchException($"the step did not finish within {StepTimeout.TotalSeconds} s");
        }
#pragma warning disable CA1031 // every outcome is judged below
        catch (Exception e)
        {
            error = e;
        }
#pragma warning restore CA1031
        finally
        {
            _faults.Armed = false;
        }

        var observed = Observe();
        if (error is null)
        {
            if (after is null) throw new ModelMismatchException("NoKV did what the model says is invalid");
            if (pinTaken is { } id) after.NamePin(id);
            Expect(observed.Difference(after), "after success");
            Succeeded++;
            _model = after;
        }
        else if (InjectedFaultException.IsIn(error))
        {
            Faulted++;
            if (after is not null && after.HasUnnamedPin && observed.Pins.Keys.Except(before.Pins.Keys).ToList() is [var landed]) after.NamePin(landed);
            if (after is not null && observed.Difference(after) is null)
            {
                if (observed.Difference(before) is not null) FaultedButLanded++;
                _model = after;
            }
            else if (observed.Difference(before) is { } fromBefore)
            {
                throw new ModelMismatchException($"a fault ({error.GetType().Name}: {error.Message}) left a state that is neither before nor after: {fromBefore}"
                    + (after is null ? "" : $"; from after: {observed.Difference(after)}"));
            }
        }
        else
        {
            if (after is not null) throw new ModelMismatchException($"NoKV refused a valid step: {error.GetType().Name}: {error.Message}");
            Refused++;
            Expect(observed.Difference(before), $"after a refusal ({error.GetType().Name})");
        }
        TrackNewPins(before);
    }

    private void TrackNewPins(FaultModel before)
    {
        foreach (var id in _model.Pins.Keys.Except(before.Pins.Keys).Order()) _pinOrder.Add(id);
    }

    /// <summary>Steps that name a pin or handle need one to exist; otherwise they are skipped.</summary>
    private bool Resolvable(FaultOp op) => op switch
    {
        FClonePin or FRollback or FRelease => _pinOrder.Count > 0,
        FWriteThroughHandle => _handles.Count > 0,
        _ => true,
    };

    private long PinAt(int index) => _pinOrder[index % _pinOrder.Count];

    private static void Expect(string? difference, string when)
    {
        if (difference is not null) throw new ModelMismatchException($"{when}: {difference}");
    }

    /// <summary>The model after <paramref name="op"/>, or null if NoKV must refuse it.</summary>
    private FaultModel? Apply(FaultModel m, FaultOp op)
    {
        switch (op)
        {
            case FCreate(var w):
                if (m.Workspaces.ContainsKey(Ws(w))) return null;
                m.Workspaces[Ws(w)] = new FaultWs(new ModelTree(), ++_ids, ++_ids);
                return m;
            case FDrop(var w):
                return m.Workspaces.Remove(Ws(w)) ? m : null;
            case FWrite(var w, var path, var size, var seed, _, _):
                return WriteTo(m, Ws(w), path, old => TestData.Bytes(size, seed), mustExist: false);
            case FAppend(var w, var path, var size, var seed):
                return WriteTo(m, Ws(w), path, old => [.. old, .. TestData.Bytes(size, seed)], mustExist: false);
            case FTruncate(var w, var path, var length):
                return WriteTo(m, Ws(w), path, old => { var cut = new byte[length]; old.AsSpan(0, Math.Min(length, old.Length)).CopyTo(cut); return cut; }, mustExist: true);
            case FWriteThroughHandle(var h, var path, var seed):
            {
                var (wsPath, incarnation, _) = _handles[h % _handles.Count];
                if (!m.Workspaces.TryGetValue(wsPath, out var ws) || ws.Incarnation != incarnation) return null;
                return WriteTo(m, wsPath, path, _ => TestData.Bytes(100, seed), mustExist: false);
            }
            case FMkdir(var w, var path):
            {
                if (!m.Workspaces.TryGetValue(Ws(w), out var ws)) return null;
                foreach (var prefix in ModelTree.Prefixes(path))
                {
                    if (ws.Tree.IsFile(prefix)) return null;
                    if (!ws.Tree.Exists(prefix)) ws.Tree.Nodes[prefix] = new ModelNode(NodeKind.Directory, null, ++_ids);
                }
                return m;
            }
            case FMove(var w, var from, var to):
            {
                if (!m.Workspaces.TryGetValue(Ws(w), out var ws)) return null;
                var tree = ws.Tree;
                if (from == to) return tree.ResolveError(from) is null ? m : null;
                if (to.StartsWith(from + "/", StringComparison.Ordinal) || tree.ResolveError(from) is not null) return null;
                var toParent = ModelTree.Parent(to);
                if (tree.ResolveError(toParent) is not null || !tree.IsDir(toParent) || tree.Exists(to)) return null;
                foreach (var path in tree.Subtree(from))
                {
                    var node = tree.Nodes[path];
                    tree.Nodes.Remove(path);
                    tree.Nodes[to + path[from.Length..]] = node;
                }
                return m;
            }
            case FDelete(var w, var path, var recursive):
            {
                if (!m.Workspaces.TryGetValue(Ws(w), out var ws) || ws.Tree.ResolveError(path) is not null) return null;
                if (ws.Tree.IsDir(path) && ws.Tree.HasChildren(path) && !recursive) return null;
                foreach (var p in ws.Tree.Subtree(path)) ws.Tree.Nodes.Remove(p);
                return m;
            }
            case FSnapshot(var w, var dir):
            {
                if (!m.Workspaces.TryGetValue(Ws(w), out var ws) || FaultModel.DirectoryIdentity(ws, dir) is not { } root) return null;
                m.Pins[FaultModel.UnknownPin] = new FaultPin(FaultModel.Subtree(ws.Tree, dir), root);
                return m;
            }
            case FClone(var from, var dir, var to):
            {
                if (!m.Workspaces.TryGetValue(Ws(from), out var ws) || FaultModel.DirectoryIdentity(ws, dir) is not { } root) return null;
                if (m.Workspaces.ContainsKey(Ws(to))) return null;
                var tree = FaultModel.Subtree(ws.Tree, dir);
                m.Pins[FaultModel.UnknownPin] = new FaultPin(tree.Copy(), root);
                m.Workspaces[Ws(to)] = new FaultWs(tree, root, ++_ids);
                return m;
            }
            case FClonePin(var p, var to):
            {
                if (!m.Pins.TryGetValue(PinAt(p), out var pin) || m.Workspaces.ContainsKey(Ws(to))) return null;
                m.Workspaces[Ws(to)] = new FaultWs(pin.Tree.Copy(), pin.Root, ++_ids);
                return m;
            }
            case FRollback(var w, var p):
            {
                if (!m.Workspaces.TryGetValue(Ws(w), out var ws) || !m.Pins.TryGetValue(PinAt(p), out var pin) || pin.Root != ws.Root) return null;
                m.Workspaces[Ws(w)] = ws with { Tree = pin.Tree.Copy() };
                return m;
            }
            case FRelease(var p):
                return m.Pins.Remove(PinAt(p)) ? m : null;
            case FGc or FVerifyDuringGc:
                return m;
            default:
                throw new InvalidOperationException($"Unknown step {op}");
        }
    }

    private FaultModel? WriteTo(FaultModel m, string wsPath, string path, Func<byte[], byte[]> content, bool mustExist)
    {
        if (!m.Workspaces.TryGetValue(wsPath, out var ws)) return null;
        var tree = ws.Tree;
        var parent = ModelTree.Parent(path);
        if (tree.ResolveError(parent) is not null || !tree.IsDir(parent) || tree.IsDir(path)) return null;
        if (mustExist && !tree.IsFile(path)) return null;
        byte[] old = tree.Nodes.TryGetValue(path, out var node) ? node.Data! : [];
        tree.Nodes[path] = new ModelNode(NodeKind.File, content(old), ++_version);
        return m;
    }

    /// <summary>Runs the real operation; returns the id of a snapshot it took.</summary>
    private async Task<long?> Execute(FaultOp op)
    {
        switch (op)
        {
            case FCreate(var w): Store.CreateWorkspace(Ws(w)); return null;
            case FDrop(var w): Store.DeleteWorkspace(Ws(w)); return null;
            case FWrite(var w, var path, var size, var seed, var parts, var catchInside):
                await WriteInParts(Store.OpenWorkspace(Ws(w)), path, TestData.Bytes(size, seed), parts, catchInside);
                return null;
            case FAppend(var w, var path, var size, var seed):
            {
                var stream = await Store.OpenWorkspace(Ws(w)).OpenAppendAsync(path);
                await using (stream) await stream.WriteAsync(TestData.Bytes(size, seed));
                return null;
            }
            case FTruncate(var w, var path, var length): await Store.OpenWorkspace(Ws(w)).TruncateAsync(path, length); return null;
            case FWriteThroughHandle(var h, var path, var seed): await _handles[h % _handles.Count].Handle.WriteAllBytesAsync(path, TestData.Bytes(100, seed)); return null;
            case FMkdir(var w, var path): Store.OpenWorkspace(Ws(w)).CreateDirectory(path); return null;
            case FMove(var w, var from, var to): Store.OpenWorkspace(Ws(w)).Move(from, to); return null;
            case FDelete(var w, var path, var recursive): Store.OpenWorkspace(Ws(w)).Delete(path, recursive); return null;
            case FSnapshot(var w, var dir): return Store.Snapshot(dir == "/" ? Ws(w) : Ws(w) + dir).Id;
            case FClone(var from, var dir, var to): return Store.Clone(dir == "/" ? Ws(from) : Ws(from) + dir, Ws(to)).SnapshotId;
            case FClonePin(var p, var to): Store.Clone(Store.GetSnapshot(PinAt(p)), Ws(to)); return null;
            case FRollback(var w, var p): Store.Rollback(Ws(w), PinAt(p)); return null;
            case FRelease(var p): Store.ReleaseSnapshot(PinAt(p)); return null;
            case FGc(var full): Store.CollectGarbage(full ? GcMode.Full : GcMode.Incremental); return null;
            case FVerifyDuringGc(var full):
            {
                var verify = Task.Run(() => Store.VerifyAsync());
                var gc = Task.Run(() => Store.CollectGarbage(full ? GcMode.Full : GcMode.Incremental));
                await Task.WhenAll(verify, gc);
                var unexpected = verify.Result.Problems.Where(p => p.Kind != StoreProblemKind.OrphanBlock).ToList();
                if (unexpected.Count > 0) throw new ModelMismatchException("Verify during GC: " + string.Join("; ", unexpected));
                return null;
            }
            default:
                throw new InvalidOperationException($"Unknown step {op}");
        }
    }

    /// <summary>A streamed write in several calls; a caller that catches a failed call inside the using block and disposes anyway.</summary>
    private static async Task WriteInParts(Workspace ws, string path, byte[] data, int parts, bool catchInside)
    {
        var stream = ws.OpenWrite(path);
        await using (stream)
        {
            var step = Math.Max(1, (data.Length + parts - 1) / parts);
            for (var offset = 0; offset < data.Length; offset += step)
            {
                var part = data.AsMemory(offset, Math.Min(step, data.Length - offset));
                try
                {
                    await stream.WriteAsync(part);
                }
                catch (Exception e) when (catchInside && InjectedFaultException.IsIn(e))
                {
                    // The careless caller: swallows the failure and lets Dispose run.
                }
            }
        }
    }

    private ObservedState Observe()
    {
        var state = new ObservedState();
        foreach (var info in Store.ListWorkspaces())
        {
            var ws = Store.OpenWorkspace(info.Path);
            state.Workspaces[info.Path] = Read(ws.List, p => ws.ReadAllBytesAsync(p).GetAwaiter().GetResult());
        }
        foreach (var pin in Store.ListSnapshots())
        {
            state.Pins[pin.Id] = Read(pin.List, p => pin.ReadAllBytesAsync(p).GetAwaiter().GetResult());
        }
        return state;
    }

    private static SortedDictionary<string, string> Read(Func<string, IReadOnlyList<NodeInfo>> list, Func<string, byte[]> read)
    {
        var tree = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var pending = new Stack<string>(["/"]);
        while (pending.TryPop(out var dir))
        {
            foreach (var node in list(dir))
            {
                if (node.Kind == NodeKind.Directory)
                {
                    tree[node.Path] = "dir";
                    pending.Push(node.Path);
                }
                else
                {
                    tree[node.Path] = ObservedState.Hash(read(node.Path));
                }
            }
        }
        return tree;
    }

    private void CheckVerify(bool allowOrphans)
    {
        var report = Store.Verify();
        var problems = report.Problems.Where(p => !allowOrphans || p.Kind != StoreProblemKind.OrphanBlock).ToList();
        if (problems.Count > 0) throw new ModelMismatchException("Verify: " + string.Join("; ", problems));
    }

    /// <summary>Faults stop: a full GC leaves Verify clean; then dropping everything and collecting leaves nothing.</summary>
    private void CheckTheEnd()
    {
        Store.CollectGarbage(GcMode.Full);
        CheckVerify(allowOrphans: false);
        Expect(Observe().Difference(_model), "after the final GC");

        foreach (var ws in Store.ListWorkspaces()) Store.DeleteWorkspace(ws.Path);
        foreach (var pin in Store.ListSnapshots()) Store.ReleaseSnapshot(pin.Id);
        Store.CollectGarbage(GcMode.Full);
        var blocks = _temp.BlockKeys();
        if (blocks.Count != 0) throw new ModelMismatchException($"GC left {blocks.Count} blocks after everything was dropped: {string.Join(", ", blocks.Take(5))}");
        var records = Store.Read(txn => Enum.GetValues<Lmdb.Db>().Where(db => db is not Lmdb.Db.Meta).Sum(db => txn.Count(db)));
        if (records != 0) throw new ModelMismatchException($"GC left {records} metadata records after everything was dropped");
    }
}
