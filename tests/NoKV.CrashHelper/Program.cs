// The process the crash tests kill. It runs a seeded workload against a store and logs each
// operation to a journal: "begin <op>" before the call, "ack <op>" after it returned. The test
// SIGKILLs it at a random moment and checks the store holds every acknowledged operation, and
// for the one in flight either its before or its after state, never anything torn.
//
//   NoKV.CrashHelper STORE_DIR RUN SEED JOURNAL [deferred]
//
// With "deferred" the store runs with Durability.Deferred (a short flush interval) and the
// workload also flushes; the test then expects a prefix of the acknowledged operations, at least
// up to the last one that was durable when acknowledged (flush, snapshot, clone).
//   NoKV.CrashHelper probe STORE_DIR [gc]     (see MetadataProbe)
using NoKV;
using NoKV.Tests;

if (args[0] == "probe") return MetadataProbe.Run(args[1], fullGc: args.Length > 2 && args[2] == "gc");

if (args[0] == "open")
{
    // Probe mode for the store-lock tests: can this process open the store?
    try
    {
        using var probe = WorkspaceStore.Open(args[1]);
        Console.WriteLine("opened");
    }
    catch (NoKVException e)
    {
        Console.WriteLine($"{e.GetType().Name}: {e.Message}");
    }
    return 0;
}

var (storeDir, run, seed, journalPath) = (args[0], args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), args[3]);
using var journal = new StreamWriter(new FileStream(journalPath, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
var deferred = args.Length > 4 && args[4] == "deferred";
using var store = WorkspaceStore.Open(new WorkspaceStoreOptions
{
    Directory = storeDir,
    ChunkSize = Workload.ChunkSize,
    OrphanGracePeriod = TimeSpan.Zero,
    Durability = deferred ? Durability.Deferred : Durability.PerOperation,
    FlushInterval = TimeSpan.FromMilliseconds(20),
});
var random = new Random(seed);
var workspaces = new List<string>();
var pins = new List<(long Id, string Workspace)>();

Do($"create /{run}/w", () => store.CreateWorkspace($"/{run}/w"));
workspaces.Add($"/{run}/w");
for (var step = 0; ; step++)
{
    var ws = workspaces[random.Next(workspaces.Count)];
    switch (random.Next(10))
    {
        case < 5:
            var file = $"/f{random.Next(6)}";
            var size = Workload.Sizes[random.Next(Workload.Sizes.Length)];
            Do($"write {ws} {file} {size} {step}", () => store.OpenWorkspace(ws).WriteAllBytesAsync(file, Workload.Content(run, step, size)).GetAwaiter().GetResult());
            break;
        case 5:
            var victim = $"/f{random.Next(6)}";
            if (store.OpenWorkspace(ws).Exists(victim)) Do($"delete {ws} {victim}", () => store.OpenWorkspace(ws).Delete(victim));
            break;
        case 6:
            long id = 0;
            Do($"snapshot {ws}", () => id = store.Snapshot(ws).Id, () => $" {id}");
            pins.Add((id, ws));
            break;
        case 7 when workspaces.Count < 4:
            var clone = $"/{run}/c{step}";
            long pin = 0;
            Do($"clone {ws} {clone}", () => pin = store.Clone(ws, clone).SnapshotId, () => $" {pin}");
            workspaces.Add(clone);
            pins.Add((pin, ws));
            break;
        case 8 when pins.Count > 0:
            var (pinId, of) = pins[random.Next(pins.Count)];
            Do($"rollback {of} {pinId}", () => store.Rollback(of, pinId));
            break;
        case 9 when deferred && random.Next(2) == 0:
            Do("flush", store.Flush);
            break;
        default:
            Do("gc", () => store.CollectGarbage());
            break;
    }
}

void Do(string op, Action action, Func<string>? result = null)
{
    journal.WriteLine("begin " + op);
    action();
    journal.WriteLine("ack " + op + (result?.Invoke() ?? ""));
}
