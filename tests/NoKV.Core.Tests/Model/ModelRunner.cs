namespace NoKV.Tests.Model;

/// <summary>
/// Runs a scenario against a real store (LMDB + local block files in a temporary directory) and
/// the reference model side by side. Each step either succeeds in both or raises exactly the
/// exception the model predicts and changes nothing; after every step every workspace and every
/// unreleased snapshot (of a workspace or of a directory) must read exactly as the model says,
/// and Verify must find no problem. After every GC nothing may be left queued and the block store
/// must hold exactly the blocks live views reach. At the end everything is dropped and one GC
/// must leave no block and no record behind.
/// </summary>
public sealed class ModelRunner(TempStore temp) : IDisposable
{
    private readonly TempStore _temp = temp;
    private readonly Dictionary<string, ModelWorkspace> _workspaces = new(StringComparer.Ordinal);
    private readonly List<ModelPin> _pins = [];
    private readonly HashSet<long> _pinHandlesLost = []; // released pins whose handle predates a reopen
    private long _version;

    private WorkspaceStore Store => _temp.Store;

    /// <summary>Steps that succeeded, and steps refused with the predicted exception.</summary>
    public int Succeeded { get; private set; }
    public int Refused { get; private set; }

    public void Dispose() => _temp.Dispose();

    private static string Ws(int i) => $"/w{i}";

    public void Run(IReadOnlyList<ModelOp> ops)
    {
        for (var i = 0; i < ops.Count; i++)
        {
            try
            {
                Step(ops[i]);
                CheckEverything();
            }
            catch (Exception e) when (e is not ModelMismatchException)
            {
                throw new ModelMismatchException($"step {i} ({ops[i]}) failed: {e.GetType().Name}: {e.Message}", e);
            }
        }
        DropEverythingAndCheckNothingLeaks();
    }

    private void Step(ModelOp op)
    {
        switch (op)
        {
            case CreateWs(var w):
                Expect(_workspaces.ContainsKey(Ws(w)) ? typeof(WorkspaceAlreadyExistsException) : null,
                    () => Store.CreateWorkspace(Ws(w)),
                    () =>
                    {
                        var root = Store.OpenWorkspace(Ws(w)).RootInode;
                        Assert.DoesNotContain(root, _workspaces.Values.Select(ws => ws.RootInode).Concat(_pins.Select(p => p.RootInode)));
                        _workspaces[Ws(w)] = new ModelWorkspace(new ModelTree(), root);
                    });
                break;

            case DropWs(var w):
                Expect(_workspaces.ContainsKey(Ws(w)) ? null : typeof(WorkspaceNotFoundException),
                    () => Store.DeleteWorkspace(Ws(w)),
                    () => _workspaces.Remove(Ws(w)));
                break;

            case WriteFile(var w, var path, var size, var seed):
            {
                var data = TestData.Bytes(size, seed);
                var parent = ModelTree.Parent(path);
                Expect(WriteError(w, path, parent),
                    () => Store.OpenWorkspace(Ws(w)).WriteAllBytesAsync(path, data).GetAwaiter().GetResult(),
                    () => _workspaces[Ws(w)].Tree.Nodes[path] = new ModelNode(NodeKind.File, data, ++_version));
                break;
            }

            case AppendFile(var w, var path, var size, var seed):
            {
                var data = TestData.Bytes(size, seed);
                Expect(WriteError(w, path, ModelTree.Parent(path)),
                    () =>
                    {
                        using var stream = Store.OpenWorkspace(Ws(w)).OpenAppendAsync(path).GetAwaiter().GetResult();
                        stream.Write(data);
                    },
                    () =>
                    {
                        var tree = _workspaces[Ws(w)].Tree;
                        byte[] old = tree.Nodes.TryGetValue(path, out var node) ? node.Data! : [];
                        tree.Nodes[path] = new ModelNode(NodeKind.File, [.. old, .. data], ++_version);
                    });
                break;
            }

            case TruncateFile(var w, var path, var length):
            {
                var error = WriteError(w, path, ModelTree.Parent(path))
                    ?? (_workspaces[Ws(w)].Tree.Exists(path) ? null : typeof(PathNotFoundException));
                Expect(error,
                    () => Store.OpenWorkspace(Ws(w)).TruncateAsync(path, length).GetAwaiter().GetResult(),
                    () =>
                    {
                        var tree = _workspaces[Ws(w)].Tree;
                        var resized = new byte[length];
                        var old = tree.Nodes[path].Data!;
                        old.AsSpan(0, Math.Min(length, old.Length)).CopyTo(resized);
                        tree.Nodes[path] = new ModelNode(NodeKind.File, resized, ++_version);
                    });
                break;
            }

            case MakeDir(var w, var path):
                Expect(MakeDirError(w, path),
                    () => Store.OpenWorkspace(Ws(w)).CreateDirectory(path),
                    () =>
                    {
                        var tree = _workspaces[Ws(w)].Tree;
                        foreach (var prefix in ModelTree.Prefixes(path).Where(p => !tree.Exists(p))) tree.Nodes[prefix] = new ModelNode(NodeKind.Directory, null, 0);
                    });
                break;

            case MoveNode(var w, var from, var to):
                Expect(MoveError(w, from, to),
                    () => Store.OpenWorkspace(Ws(w)).Move(from, to),
                    () =>
                    {
                        var tree = _workspaces[Ws(w)].Tree;
                        if (from == to) return;
                        foreach (var path in tree.Subtree(from))
                        {
                            var node = tree.Nodes[path];
                            tree.Nodes.Remove(path);
                            tree.Nodes[to + path[from.Length..]] = node;
                        }
                    });
                break;

            case DeleteNode(var w, var path, var recursive):
                Expect(DeleteError(w, path, recursive),
                    () => Store.OpenWorkspace(Ws(w)).Delete(path, recursive),
                    () =>
                    {
                        var tree = _workspaces[Ws(w)].Tree;
                        foreach (var p in tree.Subtree(path)) tree.Nodes.Remove(p);
                    });
                break;

            case TakeSnapshot(var w):
            {
                SnapshotPin? pin = null;
                Expect(_workspaces.ContainsKey(Ws(w)) ? null : typeof(WorkspaceNotFoundException),
                    () => pin = Store.Snapshot(Ws(w)),
                    () =>
                    {
                        Assert.Equal(_workspaces[Ws(w)].RootInode, pin!.RootInode);
                        _pins.Add(new ModelPin(_workspaces[Ws(w)].Tree.Copy(), pin.RootInode, pin.Id));
                    });
                break;
            }

            case TakeSubtreeSnapshot(var w, var dir):
            {
                SnapshotPin? pin = null;
                Expect(DirectoryError(w, dir),
                    () => pin = Store.Snapshot(Ws(w) + dir),
                    () =>
                    {
                        Assert.Equal(Store.OpenWorkspace(Ws(w)).Stat(dir).Inode, pin!.RootInode);
                        _pins.Add(new ModelPin(_workspaces[Ws(w)].Tree.SubtreeAt(dir), pin.RootInode, pin.Id));
                    });
                break;
            }

            case CloneDir(var from, var dir, var to):
            {
                CloneHandle? handle = null;
                // NoKV finds the source workspace, checks the target is free, then resolves the directory.
                var error = !_workspaces.ContainsKey(Ws(from)) ? typeof(WorkspaceNotFoundException)
                    : _workspaces.ContainsKey(Ws(to)) ? typeof(WorkspaceAlreadyExistsException) : DirectoryError(from, dir);
                Expect(error,
                    () => handle = Store.Clone(Ws(from) + dir, Ws(to)),
                    () =>
                    {
                        var source = _workspaces[Ws(from)];
                        Assert.Equal(Store.OpenWorkspace(Ws(from)).Stat(dir).Inode, handle!.RootInode);
                        _pins.Add(new ModelPin(source.Tree.SubtreeAt(dir), handle.RootInode, handle.SnapshotId));
                        _workspaces[Ws(to)] = new ModelWorkspace(source.Tree.SubtreeAt(dir), handle.RootInode);
                    });
                break;
            }

            case CloneWs(var from, var to):
            {
                CloneHandle? handle = null;
                var error = !_workspaces.ContainsKey(Ws(from)) ? typeof(WorkspaceNotFoundException)
                    : _workspaces.ContainsKey(Ws(to)) ? typeof(WorkspaceAlreadyExistsException) : null;
                Expect(error,
                    () => handle = Store.Clone(Ws(from), Ws(to)),
                    () =>
                    {
                        var source = _workspaces[Ws(from)];
                        Assert.Equal(source.RootInode, handle!.RootInode);
                        _pins.Add(new ModelPin(source.Tree.Copy(), source.RootInode, handle.SnapshotId));
                        _workspaces[Ws(to)] = new ModelWorkspace(source.Tree.Copy(), source.RootInode);
                    });
                break;
            }

            case ClonePin(var p, var to):
            {
                if (PinAt(p) is not { } pin) break;
                var error = pin.Released ? typeof(SnapshotNotFoundException) : _workspaces.ContainsKey(Ws(to)) ? typeof(WorkspaceAlreadyExistsException) : null;
                Expect(error,
                    () => Store.Clone(Handle(pin), Ws(to)),
                    () =>
                    {
                        Assert.Equal(pin.RootInode, Store.OpenWorkspace(Ws(to)).RootInode);
                        _workspaces[Ws(to)] = new ModelWorkspace(pin.Tree.Copy(), pin.RootInode);
                    });
                break;
            }

            case RollbackWs(var w, var p):
            {
                if (PinAt(p) is not { } pin) break;
                var error = !_workspaces.TryGetValue(Ws(w), out var ws) ? typeof(WorkspaceNotFoundException)
                    : pin.Released ? typeof(SnapshotNotFoundException)
                    : pin.RootInode != ws.RootInode ? typeof(UnrelatedSnapshotException) : null;
                Expect(error,
                    () => Store.Rollback(Ws(w), pin.Id),
                    () => ws!.Tree = pin.Tree.Copy());
                break;
            }

            case RollbackDir(var w, var dir, var p):
            {
                if (PinAt(p) is not { } pin) break;
                // NoKV finds the workspace and the snapshot, then resolves the directory and compares
                // its inode with the snapshot's root (inode identity after moves and restores is
                // read from the store: the model tracks content, not inode numbers).
                var error = !_workspaces.ContainsKey(Ws(w)) ? typeof(WorkspaceNotFoundException)
                    : pin.Released ? typeof(SnapshotNotFoundException)
                    : DirectoryError(w, dir)
                    ?? (Store.OpenWorkspace(Ws(w)).Stat(dir).Inode != pin.RootInode ? typeof(UnrelatedSnapshotException) : null);
                Expect(error,
                    () => Store.Rollback(Ws(w) + dir, pin.Id),
                    () => _workspaces[Ws(w)].Tree.ReplaceSubtree(dir, pin.Tree));
                break;
            }

            case ReleasePin(var p):
            {
                if (PinAt(p) is not { } pin) break;
                Expect(pin.Released ? typeof(SnapshotNotFoundException) : null,
                    () => Store.ReleaseSnapshot(pin.Id),
                    () => pin.Released = true);
                break;
            }

            case DiffWs(var a, var b):
            {
                IReadOnlyList<SubtreeDelta>? actual = null;
                var error = !_workspaces.ContainsKey(Ws(a)) || !_workspaces.ContainsKey(Ws(b)) ? typeof(WorkspaceNotFoundException) : null;
                Expect(error,
                    () => actual = Store.Diff(Ws(a), Ws(b)),
                    () => Assert.Equal(ModelTree.Diff(_workspaces[Ws(a)].Tree, _workspaces[Ws(b)].Tree), actual));
                break;
            }

            case DiffPin(var p, var b):
            {
                if (PinAt(p) is not { } pin || _pinHandlesLost.Contains(pin.Id)) break;
                IReadOnlyList<SubtreeDelta>? actual = null;
                var error = pin.Released ? typeof(SnapshotNotFoundException) : !_workspaces.ContainsKey(Ws(b)) ? typeof(WorkspaceNotFoundException) : null;
                Expect(error,
                    () => actual = Store.Diff(Handle(pin), Ws(b)),
                    () => Assert.Equal(ModelTree.Diff(pin.Tree, _workspaces[Ws(b)].Tree), actual));
                break;
            }

            case CollectGarbage(var full):
                Store.CollectGarbage(full ? GcMode.Full : GcMode.Incremental);
                CheckGcLeftNothingPendingAndOnlyReachableBlocks();
                break;

            case ReopenStore:
                _temp.Reopen();
                _handles.Clear();
                foreach (var pin in _pins.Where(p => p.Released)) _pinHandlesLost.Add(pin.Id);
                break;

            default:
                throw new InvalidOperationException($"Unknown op {op}");
        }
    }

    private readonly Dictionary<long, SnapshotPin> _handles = [];

    /// <summary>A snapshot handle; released ones are kept from before their release (GetSnapshot refuses them).</summary>
    private SnapshotPin Handle(ModelPin pin)
    {
        if (!_handles.TryGetValue(pin.Id, out var handle)) _handles[pin.Id] = handle = Store.GetSnapshot(pin.Id);
        return handle;
    }

    private ModelPin? PinAt(int index)
    {
        if (_pins.Count == 0) return null;
        var pin = _pins[index % _pins.Count];
        if (!pin.Released) Handle(pin); // take the handle while it can still be had
        return pin.Released && _pinHandlesLost.Contains(pin.Id) && !_handles.ContainsKey(pin.Id) ? null : pin;
    }

    private Type? WriteError(int w, string path, string parent)
    {
        if (!_workspaces.TryGetValue(Ws(w), out var ws)) return typeof(WorkspaceNotFoundException);
        var tree = ws.Tree;
        if (tree.ResolveError(parent) is { } error) return error;
        if (!tree.IsDir(parent)) return typeof(NotADirectoryException);
        return tree.IsDir(path) ? typeof(NotAFileException) : null;
    }

    private Type? MakeDirError(int w, string path)
    {
        if (!_workspaces.TryGetValue(Ws(w), out var ws)) return typeof(WorkspaceNotFoundException);
        foreach (var prefix in ModelTree.Prefixes(path))
        {
            if (!ws.Tree.Exists(prefix)) return null;
            if (ws.Tree.IsFile(prefix)) return typeof(NotADirectoryException);
        }
        return null;
    }

    private Type? MoveError(int w, string from, string to)
    {
        // The order NoKV checks in (after opening the workspace): same path, into itself, then both paths.
        if (!_workspaces.TryGetValue(Ws(w), out var ws)) return typeof(WorkspaceNotFoundException);
        if (from == to) return ws.Tree.ResolveError(from);
        if (to.StartsWith(from + "/", StringComparison.Ordinal)) return typeof(InvalidMoveException);
        if (ws.Tree.ResolveError(from) is { } fromError) return fromError;
        var toParent = ModelTree.Parent(to);
        if (ws.Tree.ResolveError(toParent) is { } parentError) return parentError;
        if (!ws.Tree.IsDir(toParent)) return typeof(NotADirectoryException);
        return ws.Tree.Exists(to) ? typeof(PathAlreadyExistsException) : null;
    }

    /// <summary>What naming a directory inside a workspace raises: no workspace, no such path, or not a directory.</summary>
    private Type? DirectoryError(int w, string dir)
    {
        if (!_workspaces.TryGetValue(Ws(w), out var ws)) return typeof(WorkspaceNotFoundException);
        if (ws.Tree.ResolveError(dir) is { } error) return error;
        return ws.Tree.IsDir(dir) ? null : typeof(NotADirectoryException);
    }

    private Type? DeleteError(int w, string path, bool recursive)
    {
        if (!_workspaces.TryGetValue(Ws(w), out var ws)) return typeof(WorkspaceNotFoundException);
        if (ws.Tree.ResolveError(path) is { } error) return error;
        return ws.Tree.IsDir(path) && ws.Tree.HasChildren(path) && !recursive ? typeof(DirectoryNotEmptyException) : null;
    }

    /// <summary>Runs the real operation; it must raise exactly the expected exception, or succeed and then the model is updated.</summary>
    private void Expect(Type? expectedError, Action real, Action applyToModel)
    {
        if (expectedError is null)
        {
            real();
            applyToModel();
            Succeeded++;
            return;
        }
        Refused++;
        var thrown = Record.Exception(real);
        if (thrown?.GetType() != expectedError)
            throw new ModelMismatchException($"expected {expectedError.Name}, got {(thrown is null ? "success" : thrown.GetType().Name + ": " + thrown.Message)}");
    }

    private void CheckEverything()
    {
        Assert.Equal(_workspaces.Keys.Order(StringComparer.Ordinal), Store.ListWorkspaces().Select(w => w.Path));
        foreach (var (path, model) in _workspaces)
        {
            var ws = Store.OpenWorkspace(path);
            Assert.Equal(model.RootInode, ws.RootInode);
            AssertTree(model.Tree, ws.List, p => ws.ReadAllBytesAsync(p).GetAwaiter().GetResult(), path);
        }
        foreach (var pin in _pins.Where(p => !p.Released))
        {
            var handle = Store.GetSnapshot(pin.Id);
            AssertTree(pin.Tree, handle.List, p => handle.ReadAllBytesAsync(p).GetAwaiter().GetResult(), "@" + pin.Id);
        }
        var report = Store.Verify();
        if (!report.IsHealthy) throw new ModelMismatchException("Verify: " + string.Join("; ", report.Problems));
    }

    /// <summary>
    /// After a GC nothing is left queued (so Verify, run next, has no pending garbage to excuse),
    /// and the block store holds exactly the blocks of the file versions live workspaces and
    /// unreleased snapshots show: none lost, none leaked.
    /// </summary>
    private void CheckGcLeftNothingPendingAndOnlyReachableBlocks()
    {
        var (layers, generations, shadowed) = Store.Read(txn => (
            txn.Count(Lmdb.Db.GcLayers),
            txn.Count(Lmdb.Db.GcGenerations),
            txn.Scan(Lmdb.Db.GcShadowed, []).Count(e => Gc.ShadowQueue.IsQueuedEntry(e.Key))));
        if (layers + generations + shadowed != 0)
            throw new ModelMismatchException($"GC left work queued: {layers} layers, {generations} generations, {shadowed} shadowed versions");
        var reachable = ReachableBlocks.Of(Store);
        var stored = _temp.BlockKeys();
        if (!reachable.SequenceEqual(stored))
        {
            throw new ModelMismatchException($"after GC the block store holds {stored.Count} blocks where {reachable.Count} are reachable: " +
                $"leaked [{string.Join(", ", stored.Except(reachable))}], lost [{string.Join(", ", reachable.Except(stored))}]");
        }
    }

    private static void AssertTree(ModelTree expected, Func<string, IReadOnlyList<NodeInfo>> list, Func<string, byte[]> read, string where)
    {
        var actual = new SortedDictionary<string, (NodeKind, string)>(StringComparer.Ordinal);
        var pending = new Stack<string>(["/"]);
        while (pending.TryPop(out var dir))
        {
            foreach (var node in list(dir))
            {
                actual[node.Path] = (node.Kind, node.Kind == NodeKind.File ? Convert.ToHexString(read(node.Path)) : "");
                if (node.Kind == NodeKind.Directory) pending.Push(node.Path);
            }
        }
        var wanted = expected.Nodes.ToDictionary(n => n.Key, n => (n.Value.Kind, n.Value.Kind == NodeKind.File ? Convert.ToHexString(n.Value.Data!) : ""), StringComparer.Ordinal);
        if (!wanted.OrderBy(k => k.Key, StringComparer.Ordinal).SequenceEqual(actual))
            throw new ModelMismatchException($"{where} reads [{string.Join(", ", actual.Keys)}] but the model has [{string.Join(", ", wanted.Keys.Order(StringComparer.Ordinal))}] (or bytes differ)");
    }

    private void DropEverythingAndCheckNothingLeaks()
    {
        foreach (var path in _workspaces.Keys) Store.DeleteWorkspace(path);
        foreach (var pin in _pins.Where(p => !p.Released)) Store.ReleaseSnapshot(pin.Id);
        Store.CollectGarbage();
        var blocks = _temp.BlockKeys();
        if (blocks.Count != 0) throw new ModelMismatchException($"GC left {blocks.Count} blocks after everything was dropped");
        var records = Store.Read(txn => Enum.GetValues<Lmdb.Db>().Where(db => db is not (Lmdb.Db.Meta)).Sum(db => txn.Count(db)));
        if (records != 0) throw new ModelMismatchException($"GC left {records} metadata records after everything was dropped");
    }
}

public sealed class ModelMismatchException(string message, Exception? inner = null) : Exception(message, inner);
