using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests;

/// <summary>
/// Generated schedules of expiry settings (renewals, clearings, times in the past), clock steps
/// forwards AND backwards, re-creations at the same path and GC runs, against a tiny model: after
/// each GC exactly the workspaces and snapshots whose expiry is at or before the clock are gone,
/// the report counts them, and what the store shows as ExpiresUtc is what was set.
/// </summary>
public sealed class ExpiryScheduleProperties
{
    private static readonly string[] Paths = ["/a", "/b", "/forks/c"];

    /// <summary>Kind: 0 set ws expiry, 1 clear ws expiry, 2 set pin expiry, 3 clock step, 4 GC, 5 re-create, 6 reopen.</summary>
    public sealed record ScheduleStep(int Kind, int Target, int Minutes)
    {
        public override string ToString() => $"{Kind}:{Target}:{Minutes}";
    }

    private static readonly Gen<ScheduleStep> StepGen =
        from kind in Gen.Choose(0, 6)
        from target in Gen.Choose(0, Paths.Length - 1)
        from minutes in Gen.Choose(-120, 120)
        select new ScheduleStep(kind, target, minutes);

    [Fact]
    public void Gc_drops_exactly_what_is_due_on_the_clock_whichever_way_it_moved()
    {
        Prop.ForAll(StepGen.ListOf().Select(s => s.ToArray()).ToArbitrary(), steps => Run(steps))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(Environment.GetEnvironmentVariable("NOKV_PROPERTY_COUNT") is { } n ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 30));
    }

    private static void Run(ScheduleStep[] steps)
    {
        var clock = new ManualClock();
        using var temp = new TempStore(clock: clock);
        var store = temp.Store;
        // Model: path -> expiry (null: never); pin id -> (expiry).
        var workspaces = new Dictionary<string, DateTime?>();
        var pins = new Dictionary<long, DateTime?>();
        foreach (var path in Paths)
        {
            store.CreateWorkspace(path);
            workspaces[path] = null;
            pins[store.Snapshot(path).Id] = null;
        }

        foreach (var step in steps)
        {
            var path = Paths[step.Target];
            var at = clock.Now.AddMinutes(step.Minutes);
            switch (step.Kind)
            {
                case 0 or 1:
                    var value = step.Kind == 0 ? at : (DateTimeOffset?)null;
                    if (workspaces.ContainsKey(path))
                    {
                        store.SetExpiry(path, value);
                        workspaces[path] = value?.UtcDateTime;
                    }
                    else Assert.Throws<WorkspaceNotFoundException>(() => store.SetExpiry(path, value));
                    break;
                case 2:
                    var pinIds = pins.Keys.Order().ToList();
                    if (pinIds.Count == 0) break;
                    var pin = pinIds[step.Target % pinIds.Count];
                    // an odd offset: the instant is what counts
                    store.SetSnapshotExpiry(pin, at.ToOffset(TimeSpan.FromMinutes(step.Minutes * 7 % 840)));
                    pins[pin] = at.UtcDateTime;
                    break;
                case 3:
                    clock.Advance(TimeSpan.FromMinutes(step.Minutes));
                    break;
                case 4:
                    var now = clock.Now.UtcDateTime;
                    var dueWs = workspaces.Where(w => w.Value <= now).Select(w => w.Key).ToList();
                    var duePins = pins.Where(p => p.Value <= now).Select(p => p.Key).ToList();
                    var report = store.CollectGarbage();
                    Assert.Equal(dueWs.Count, report.ExpiredWorkspaces);
                    Assert.Equal(duePins.Count, report.ExpiredSnapshots);
                    Assert.Equal(0, report.ExpiryDeferred);
                    foreach (var w in dueWs) workspaces.Remove(w);
                    foreach (var p in duePins) pins.Remove(p);
                    break;
                case 5:
                    if (workspaces.ContainsKey(path)) break;
                    var ws = store.CreateWorkspace(path, new WorkspaceOptions { TimeToLive = TimeSpan.FromMinutes(Math.Abs(step.Minutes) + 1) });
                    Assert.False(ws.IsReadOnly);
                    Assert.Empty(ws.List("/"));
                    workspaces[path] = clock.Now.UtcDateTime.AddMinutes(Math.Abs(step.Minutes) + 1);
                    break;
                case 6:
                    store = temp.Reopen();
                    break;
            }

            var shown = store.ListWorkspaces().ToDictionary(w => w.Path, w => w.ExpiresUtc);
            Assert.Equal(workspaces.OrderBy(w => w.Key, StringComparer.Ordinal), shown.OrderBy(w => w.Key, StringComparer.Ordinal));
            var shownPins = store.ListSnapshots().ToDictionary(p => p.Id, p => p.ExpiresUtc);
            Assert.Equal(pins.OrderBy(p => p.Key), shownPins.OrderBy(p => p.Key));
        }
    }
}
