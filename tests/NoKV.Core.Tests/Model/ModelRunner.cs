namespace NoKV.Tests.Model;

/// <summary>
/// Runs a scenario against a real store (LMDB + local block files in a temporary directory) and
/// the reference model side by side. Each step either succeeds in both or raises exactly the
/// exception the model predicts and changes nothing; after every step every workspace and every
/// unreleased snapshot (of a workspace or of a directory) must read exactly as the model says
/// (kind, bytes, length, mode, owner, group, link target, and times as far as they are
/// deterministic: a time set is exactly what was set, a change moves a time to at least when the
/// step began, and anything else keeps the time last read back, across clones, snapshots,
/// rollbacks and reopens), and Verify must find no problem. After every GC nothing may be left queued and the block store
/// must hold exactly the blocks live views reach. At the end everything is dropped and one GC
/// must leave no block and no record behind.
/// </summary>
public sealed partial class ModelRunner(TempStore temp) : IDisposable
{
    private readonly TempStore _temp = temp;
    private readonly Dictionary<string, ModelWorkspace> _workspaces = new(StringComparer.Ordinal);
    private readonly List<ModelPin> _pins = [];
    private readonly HashSet<long> _pinHandlesLost = []; // released pins whose handle predates a reopen
    private long _version;
    private long _stepStarted; // UTC ticks just before the current step's real operation

    private WorkspaceStore Store => _temp.Store;

    /// <summary>The store's clock, which only the scenario moves (expiry steps).</summary>
    private ManualClock Clock => _temp.Clock as ManualClock ?? throw new InvalidOperationException("The model runs on a store with a ManualClock.");

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
                _stepStarted = DateTime.UtcNow.Ticks;
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
                Expect(_workspaces.ContainsKey(Ws(w)) ? Refusal.Of<WorkspaceAlreadyExistsException>() : null,
                    () => Store.CreateWorkspace(Ws(w)),
                    () =>
                    {
                        var root = Store.OpenWorkspace(Ws(w)).RootInode;
                        Assert.DoesNotContain(root, _workspaces.Values.Select(ws => ws.RootInode).Concat(_pins.Select(p => p.RootInode)));
                        _workspaces[Ws(w)] = new ModelWorkspace(new ModelTree { Root = Now(new ModelNode(NodeKind.Directory, null, 0)) }, root);
                    });
                break;

            case DropWs(var w):
                Expect(!_workspaces.ContainsKey(Ws(w)) ? Refusal.Of<WorkspaceNotFoundException>() : ReadOnlyError(w),
                    () => Store.DeleteWorkspace(Ws(w)),
                    () => _workspaces.Remove(Ws(w)));
                break;

            case WriteFile(var w, var path, var size, var seed):
            {
                var data = TestData.Bytes(size, seed);
                var parent = ModelTree.Parent(path);
                Expect(WriteError(w, path, parent),
                    () => Store.OpenWorkspace(Ws(w)).WriteAllBytesAsync(path, data).GetAwaiter().GetResult(),
                    () => WroteFile(_workspaces[Ws(w)].Tree, path, data));
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
                        WroteFile(tree, path, [.. old, .. data]);
                    });
                break;
            }

            case TruncateFile(var w, var path, var length):
            {
                var error = WriteError(w, path, ModelTree.Parent(path))
                    ?? (_workspaces[Ws(w)].Tree.Exists(path) ? null : Refusal.Of<PathNotFoundException>());
                Expect(error,
                    () => Store.OpenWorkspace(Ws(w)).TruncateAsync(path, length).GetAwaiter().GetResult(),
                    () =>
                    {
                        var tree = _workspaces[Ws(w)].Tree;
                        var resized = new byte[length];
                        var old = tree.Nodes[path].Data!;
                        old.AsSpan(0, Math.Min(length, old.Length)).CopyTo(resized);
                        WroteFile(tree, path, resized);
                    });
                break;
            }

            case MakeDir(var w, var path):
                Expect(MakeDirError(w, path),
                    () => Store.OpenWorkspace(Ws(w)).CreateDirectory(path),
                    () =>
                    {
                        var tree = _workspaces[Ws(w)].Tree;
                        foreach (var prefix in ModelTree.Prefixes(path).Where(p => !tree.Exists(p)))
                        {
                            tree.Nodes[prefix] = Now(new ModelNode(NodeKind.Directory, null, 0));
                            EntriesChanged(tree, ModelTree.Parent(prefix));
                        }
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
                        // A rename keeps the node's modification time and moves its change time.
                        tree.Nodes[to] = tree.Nodes[to] with { ChangeTime = ModelTime.AtLeast(_stepStarted) };
                        EntriesChanged(tree, ModelTree.Parent(from));
                        EntriesChanged(tree, ModelTree.Parent(to));
                    });
                break;

            case DeleteNode(var w, var path, var recursive):
                Expect(DeleteError(w, path, recursive),
                    () => Store.OpenWorkspace(Ws(w)).Delete(path, recursive),
                    () =>
                    {
                        var tree = _workspaces[Ws(w)].Tree;
                        foreach (var p in tree.Subtree(path)) tree.Nodes.Remove(p);
                        EntriesChanged(tree, ModelTree.Parent(path));
                    });
                break;

            case TakeSnapshot(var w):
            {
                SnapshotPin? pin = null;
                Expect(_workspaces.ContainsKey(Ws(w)) ? null : Refusal.Of<WorkspaceNotFoundException>(),
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
                var error = !_workspaces.ContainsKey(Ws(from)) ? Refusal.Of<WorkspaceNotFoundException>()
                    : _workspaces.ContainsKey(Ws(to)) ? Refusal.Of<WorkspaceAlreadyExistsException>() : DirectoryError(from, dir);
                Expect(error,
                    () => handle = Store.Clone(Ws(from) + dir, Ws(to)),
                    () =>
                    {
                        var source = _workspaces[Ws(from)];
                        Assert.Equal(Store.OpenWorkspace(Ws(from)).Stat(dir).Inode, handle!.RootInode);
                        _pins.Add(new ModelPin(source.Tree.SubtreeAt(dir), handle.RootInode, handle.SnapshotId));
                        _workspaces[Ws(to)] = new ModelWorkspace(source.Tree.SubtreeAt(dir), handle.RootInode) { OriginPin = handle.SnapshotId };
                    });
                break;
            }

            case CloneWs(var from, var to):
            {
                CloneHandle? handle = null;
                var error = !_workspaces.ContainsKey(Ws(from)) ? Refusal.Of<WorkspaceNotFoundException>()
                    : _workspaces.ContainsKey(Ws(to)) ? Refusal.Of<WorkspaceAlreadyExistsException>() : null;
                Expect(error,
                    () => handle = Store.Clone(Ws(from), Ws(to)),
                    () =>
                    {
                        var source = _workspaces[Ws(from)];
                        Assert.Equal(source.RootInode, handle!.RootInode);
                        _pins.Add(new ModelPin(source.Tree.Copy(), source.RootInode, handle.SnapshotId));
                        _workspaces[Ws(to)] = new ModelWorkspace(source.Tree.Copy(), source.RootInode) { OriginPin = handle.SnapshotId };
                    });
                break;
            }

            case ClonePin(var p, var to):
            {
                if (PinAt(p) is not { } pin) break;
                var error = pin.Released ? Refusal.Of<SnapshotNotFoundException>() : _workspaces.ContainsKey(Ws(to)) ? Refusal.Of<WorkspaceAlreadyExistsException>() : null;
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
                var error = !_workspaces.TryGetValue(Ws(w), out var ws) ? Refusal.Of<WorkspaceNotFoundException>()
                    : ReadOnlyError(w) is { } readOnly ? readOnly
                    : pin.Released ? Refusal.Of<SnapshotNotFoundException>()
                    : pin.RootInode != ws.RootInode ? Refusal.Of<UnrelatedSnapshotException>() : null;
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
                var error = !_workspaces.ContainsKey(Ws(w)) ? Refusal.Of<WorkspaceNotFoundException>()
                    : ReadOnlyError(w) is { } readOnly ? readOnly
                    : pin.Released ? Refusal.Of<SnapshotNotFoundException>()
                    : DirectoryError(w, dir)
                    ?? (Store.OpenWorkspace(Ws(w)).Stat(dir).Inode != pin.RootInode ? Refusal.Of<UnrelatedSnapshotException>() : null);
                Expect(error,
                    () => Store.Rollback(Ws(w) + dir, pin.Id),
                    () => RolledBackSubtree(_workspaces[Ws(w)].Tree, dir, pin.Tree));
                break;
            }

            case ReleasePin(var p):
            {
                if (PinAt(p) is not { } pin) break;
                Expect(pin.Released ? Refusal.Of<SnapshotNotFoundException>() : null,
                    () => Store.ReleaseSnapshot(pin.Id),
                    () => pin.Released = true);
                break;
            }

            case DiffWs(var a, var b):
            {
                IReadOnlyList<SubtreeDelta>? actual = null;
                var error = !_workspaces.ContainsKey(Ws(a)) || !_workspaces.ContainsKey(Ws(b)) ? Refusal.Of<WorkspaceNotFoundException>() : null;
                Expect(error,
                    () => actual = Store.Diff(Ws(a), Ws(b)),
                    () => Assert.Equal(ModelTree.Diff(_workspaces[Ws(a)].Tree, _workspaces[Ws(b)].Tree), actual));
                break;
            }

            case DiffPin(var p, var b):
            {
                if (PinAt(p) is not { } pin || _pinHandlesLost.Contains(pin.Id)) break;
                IReadOnlyList<SubtreeDelta>? actual = null;
                var error = pin.Released ? Refusal.Of<SnapshotNotFoundException>() : !_workspaces.ContainsKey(Ws(b)) ? Refusal.Of<WorkspaceNotFoundException>() : null;
                Expect(error,
                    () => actual = Store.Diff(Handle(pin), Ws(b)),
                    () => Assert.Equal(ModelTree.Diff(pin.Tree, _workspaces[Ws(b)].Tree), actual));
                break;
            }

            case CollectGarbage(var full):
            {
                // Expiry first, as in the store: what has expired by the clock's now is dropped.
                var now = Clock.Now.UtcTicks;
                var expiredWorkspaces = _workspaces.Where(w => w.Value.ExpiresAt <= now).Select(w => w.Key).ToList();
                // A dropped clone releases the snapshot it took of its source, unless already released.
                var origins = expiredWorkspaces.Select(w => _workspaces[w].OriginPin).OfType<long>().ToHashSet();
                var expiredPins = _pins.Where(p => !p.Released && (p.ExpiresAt <= now || origins.Contains(p.Id))).ToList();
                var report = Store.CollectGarbage(full ? GcMode.Full : GcMode.Incremental);
                Assert.Equal(expiredWorkspaces.Count, report.ExpiredWorkspaces);
                Assert.Equal(expiredPins.Count, report.ExpiredSnapshots);
                foreach (var path in expiredWorkspaces) _workspaces.Remove(path);
                foreach (var pin in expiredPins) pin.Released = true;
                CheckGcLeftNothingPendingAndOnlyReachableBlocks();
                break;
            }

            case SetWsExpiry(var w, var seconds):
            {
                DateTimeOffset? at = seconds < 0 ? null : Clock.Now.AddSeconds(seconds);
                Expect(_workspaces.ContainsKey(Ws(w)) ? null : Refusal.Of<WorkspaceNotFoundException>(),
                    () => Store.SetExpiry(Ws(w), at),
                    () => _workspaces[Ws(w)].ExpiresAt = at?.UtcTicks);
                break;
            }

            case SetPinExpiry(var p, var seconds):
            {
                if (PinAt(p) is not { } pin) break;
                DateTimeOffset? at = seconds < 0 ? null : Clock.Now.AddSeconds(seconds);
                Expect(pin.Released ? Refusal.Of<SnapshotNotFoundException>() : null,
                    () => Store.SetSnapshotExpiry(pin.Id, at),
                    () => pin.ExpiresAt = at?.UtcTicks);
                break;
            }

            case SetReadOnlyWs(var w, var readOnly):
                Expect(_workspaces.ContainsKey(Ws(w)) ? null : Refusal.Of<WorkspaceNotFoundException>(),
                    () => Store.SetReadOnly(Ws(w), readOnly),
                    () => _workspaces[Ws(w)].ReadOnly = readOnly);
                break;

            case AdvanceClock(var seconds):
                Clock.Advance(TimeSpan.FromSeconds(seconds));
                break;

            case ReopenStore:
                _temp.Reopen();
                _handles.Clear();
                foreach (var pin in _pins.Where(p => p.Released)) _pinHandlesLost.Add(pin.Id);
                break;

            default:
                if (!AttributeStep(op)) throw new InvalidOperationException($"Unknown op {op}");
                break;
        }
    }

    /// <summary>The steps on links, attributes and reads (see ModelRunner.Attributes.cs); false for any other step.</summary>
    private partial bool AttributeStep(ModelOp op);

    /// <summary>A node created or changed by this step: modification and change time at least when it began.</summary>
    private ModelNode Now(ModelNode node) => node with { LastWriteTime = ModelTime.AtLeast(_stepStarted), ChangeTime = ModelTime.AtLeast(_stepStarted) };

    /// <summary>A directory's entries changed: its times move, as on a POSIX file system.</summary>
    private void EntriesChanged(ModelTree tree, string dir) => tree.Set(dir, Now(tree.At(dir)));

    /// <summary>New bytes for a file: a new version; an existing file keeps its mode and owner, a new one has the defaults and changes its directory.</summary>
    private void WroteFile(ModelTree tree, string path, byte[] data)
    {
        var fresh = new ModelNode(NodeKind.File, data, ++_version);
        if (tree.Nodes.TryGetValue(path, out var old))
        {
            tree.Nodes[path] = Now(old with { Data = data, Version = fresh.Version });
            return;
        }
        tree.Nodes[path] = Now(fresh);
        EntriesChanged(tree, ModelTree.Parent(path));
    }

    /// <summary>
    /// A subtree rollback writes the reverse delta: every path the diff reports takes the
    /// snapshot's node (times included); a path the diff does not report keeps the workspace's
    /// node, times included (a time alone is no change); the directory takes the snapshot's
    /// mode and owner. Directories' times are left unknown: their entries were rewritten.
    /// </summary>
    private static void RolledBackSubtree(ModelTree tree, string dir, ModelTree snapshot)
    {
        var head = tree.SubtreeAt(dir);
        var restored = snapshot.Copy();
        foreach (var (path, node) in snapshot.Nodes)
        {
            if (head.Nodes.TryGetValue(path, out var current) && !current.DiffersFrom(node)) restored.Nodes[path] = current;
            if (restored.Nodes[path].Kind == NodeKind.Directory) restored.Nodes[path] = restored.Nodes[path] with { LastWriteTime = ModelTime.Unknown, ChangeTime = ModelTime.Unknown };
        }
        tree.ReplaceSubtree(dir, restored);
        var root = snapshot.Root;
        tree.Nodes[dir] = tree.Nodes[dir] with { Mode = root.Mode, OwnerId = root.OwnerId, GroupId = root.GroupId, LastWriteTime = ModelTime.Unknown, ChangeTime = ModelTime.Unknown };
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

    /// <summary>A write into a read-only workspace: refused once the workspace is found, before any path is resolved.</summary>
    private Refusal? ReadOnlyError(int w) => _workspaces[Ws(w)].ReadOnly ? Refusal.Of<ReadOnlyWorkspaceException>() : null;

    private Refusal? WriteError(int w, string path, string parent)
    {
        if (!_workspaces.TryGetValue(Ws(w), out var ws)) return Refusal.Of<WorkspaceNotFoundException>();
        if (ReadOnlyError(w) is { } readOnly) return readOnly;
        var tree = ws.Tree;
        if (tree.ResolveRefusal(parent) is { } error) return error;
        if (!tree.IsDir(parent)) return Refusal.Of<NotADirectoryException>(tree.At(parent).Kind);
        return tree.Exists(path) && !tree.IsFile(path) ? Refusal.Of<NotAFileException>(tree.At(path).Kind) : null;
    }

    private Refusal? MakeDirError(int w, string path)
    {
        if (!_workspaces.TryGetValue(Ws(w), out var ws)) return Refusal.Of<WorkspaceNotFoundException>();
        if (ReadOnlyError(w) is { } readOnly) return readOnly;
        foreach (var prefix in ModelTree.Prefixes(path))
        {
            if (!ws.Tree.Exists(prefix)) return null;
            if (!ws.Tree.IsDir(prefix)) return Refusal.Of<NotADirectoryException>(ws.Tree.At(prefix).Kind);
        }
        return null;
    }

    private Refusal? MoveError(int w, string from, string to)
    {
        // The order NoKV checks in (after opening the workspace): same path, into itself, then both paths.
        if (!_workspaces.TryGetValue(Ws(w), out var ws)) return Refusal.Of<WorkspaceNotFoundException>();
        if (from == to) return ReadOnlyError(w) ?? ws.Tree.ResolveRefusal(from);
        if (to.StartsWith(from + "/", StringComparison.Ordinal)) return Refusal.Of<InvalidMoveException>();
        if (ReadOnlyError(w) is { } readOnly) return readOnly;
        if (ws.Tree.ResolveRefusal(from) is { } fromError) return fromError;
        var toParent = ModelTree.Parent(to);
        if (ws.Tree.ResolveRefusal(toParent) is { } parentError) return parentError;
        if (!ws.Tree.IsDir(toParent)) return Refusal.Of<NotADirectoryException>(ws.Tree.At(toParent).Kind);
        return ws.Tree.Exists(to) ? Refusal.Of<PathAlreadyExistsException>() : null;
    }

    /// <summary>What naming a directory inside a workspace raises: no workspace, no such path, or not a directory.</summary>
    private Refusal? DirectoryError(int w, string dir)
    {
        if (!_workspaces.TryGetValue(Ws(w), out var ws)) return Refusal.Of<WorkspaceNotFoundException>();
        if (ws.Tree.ResolveRefusal(dir) is { } error) return error;
        return ws.Tree.IsDir(dir) ? null : Refusal.Of<NotADirectoryException>(ws.Tree.At(dir).Kind);
    }

    private Refusal? DeleteError(int w, string path, bool recursive)
    {
        if (!_workspaces.TryGetValue(Ws(w), out var ws)) return Refusal.Of<WorkspaceNotFoundException>();
        if (ReadOnlyError(w) is { } readOnly) return readOnly;
        if (ws.Tree.ResolveRefusal(path) is { } error) return error;
        return ws.Tree.IsDir(path) && ws.Tree.HasChildren(path) && !recursive ? Refusal.Of<DirectoryNotEmptyException>() : null;
    }

    /// <summary>
    /// Runs the real operation; it must raise exactly the expected exception (with the kind of
    /// node it found, where the model predicts one), or succeed and then the model is updated.
    /// </summary>
    private void Expect(Refusal? expected, Action real, Action applyToModel)
    {
        if (expected is null)
        {
            real();
            applyToModel();
            Succeeded++;
            return;
        }
        Refused++;
        var thrown = Record.Exception(real);
        if (thrown?.GetType() != expected.Type)
            throw new ModelMismatchException($"expected {expected.Type.Name}, got {(thrown is null ? "success" : thrown.GetType().Name + ": " + thrown.Message)}");
        var actualKind = thrown switch
        {
            NotADirectoryException e => e.ActualKind,
            NotAFileException e => e.ActualKind,
            _ => (NodeKind?)null,
        };
        if (expected.ActualKind is { } kind && actualKind != kind)
            throw new ModelMismatchException($"expected {expected.Type.Name} finding a {kind}, got one finding a {actualKind}: {thrown!.Message}");
    }

    private void CheckEverything()
    {
        Assert.Equal(_workspaces.Keys.Order(StringComparer.Ordinal), Store.ListWorkspaces().Select(w => w.Path));
        Assert.Equal(_workspaces.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => w.Value.ExpiresAt), Store.ListWorkspaces().Select(w => w.ExpiresUtc?.Ticks));
        Assert.Equal(_pins.Where(p => !p.Released).Select(p => (p.Id, p.ExpiresAt)).OrderBy(p => p.Id), Store.ListSnapshots().Select(s => (s.Id, s.ExpiresUtc?.Ticks)).OrderBy(p => p.Id));
        foreach (var (path, model) in _workspaces)
        {
            var ws = Store.OpenWorkspace(path);
            Assert.Equal(model.RootInode, ws.RootInode);
            AssertTree(model.Tree, ws.List, ws.Stat, p => ws.ReadAllBytesAsync(p).GetAwaiter().GetResult(), path);
        }
        foreach (var pin in _pins.Where(p => !p.Released))
        {
            var handle = Store.GetSnapshot(pin.Id);
            AssertTree(pin.Tree, handle.List, handle.Stat, p => handle.ReadAllBytesAsync(p).GetAwaiter().GetResult(), "@" + pin.Id);
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

    /// <summary>
    /// The view holds exactly the model's paths with the model's kinds, bytes and attributes, and
    /// times the model admits; then the model learns each time exactly as read, so from here on it
    /// must stay unless a step changes it.
    /// </summary>
    private static void AssertTree(ModelTree expected, Func<string, IReadOnlyList<NodeInfo>> list, Func<string, NodeInfo> stat, Func<string, byte[]> read, string where)
    {
        var actual = new SortedDictionary<string, NodeInfo>(StringComparer.Ordinal);
        var content = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new Stack<string>(["/"]);
        while (pending.TryPop(out var dir))
        {
            foreach (var node in list(dir))
            {
                actual[node.Path] = node;
                if (node.Kind == NodeKind.File) content[node.Path] = Convert.ToHexString(read(node.Path));
                if (node.Kind == NodeKind.Directory) pending.Push(node.Path);
            }
        }
        if (!expected.Nodes.Keys.SequenceEqual(actual.Keys))
            throw new ModelMismatchException($"{where} reads [{string.Join(", ", actual.Keys)}] but the model has [{string.Join(", ", expected.Nodes.Keys)}]");
        foreach (var (path, node) in actual.Append(new("/", stat("/"))))
        {
            var model = expected.At(path);
            if (model.Kind == NodeKind.File && content[path] != Convert.ToHexString(model.Data!))
                throw new ModelMismatchException($"{where}{path}: bytes differ from the model's");
            var wanted = (model.Kind, model.Length, model.Mode, model.OwnerId, model.GroupId, model.LinkTarget);
            var got = (node.Kind, node.Length, node.Mode, node.OwnerId, node.GroupId, node.LinkTarget);
            if (wanted != got) throw new ModelMismatchException($"{where}{path}: reads {got} but the model has {wanted}");
            if (!model.LastWriteTime.Admits(node.LastWriteTime) || !model.ChangeTime.Admits(node.ChangeTime))
                throw new ModelMismatchException($"{where}{path}: mtime {node.LastWriteTime.UtcDateTime:O}, ctime {node.ChangeTime.UtcDateTime:O} but the model has mtime {model.LastWriteTime}, ctime {model.ChangeTime}");
            expected.Set(path, model with { LastWriteTime = ModelTime.Exactly(node.LastWriteTime.UtcTicks), ChangeTime = ModelTime.Exactly(node.ChangeTime.UtcTicks) });
        }
    }

    private void DropEverythingAndCheckNothingLeaks()
    {
        foreach (var (path, ws) in _workspaces)
        {
            if (ws.ReadOnly) Store.SetReadOnly(path, false); // a read-only workspace refuses deletion
            Store.DeleteWorkspace(path);
        }
        foreach (var pin in _pins.Where(p => !p.Released)) Store.ReleaseSnapshot(pin.Id);
        Store.CollectGarbage();
        var blocks = _temp.BlockKeys();
        if (blocks.Count != 0) throw new ModelMismatchException($"GC left {blocks.Count} blocks after everything was dropped");
        var records = Store.Read(txn => Enum.GetValues<Lmdb.Db>().Where(db => db is not (Lmdb.Db.Meta)).Sum(db => txn.Count(db)));
        if (records != 0) throw new ModelMismatchException($"GC left {records} metadata records after everything was dropped");
    }
}

public sealed class ModelMismatchException(string message, Exception? inner = null) : Exception(message, inner);
