using System.Collections.Concurrent;

namespace OrleansTok.Recommendation;

/// <summary>
/// A silo's dense number for every video id its co-engagement lists name, and the id back. Lists keyed
/// by these numbers hold no references: 10,000 videos with 1,000 partners each were ten million string
/// keys for the GC to trace and a 32-byte entry per pair, and their growth was a quarter of everything
/// the silo allocated under ingest (dotnet-trace, docs/benchmarks.md round 14).
/// </summary>
/// <remarks>
/// Numbers are never reused, so a list can hold one for as long as it lives. The table grows with the
/// distinct videos co-engaged on this silo (~0.1 KiB each: the id, a dictionary node, a slot), which
/// the silo's catalogue replica holds anyway.
/// </remarks>
public sealed class VideoHandles
{
    private readonly ConcurrentDictionary<string, int> _handles = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private string[] _ids = new string[1024];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Names this table among the cluster's silos and their restarts (never 0), so a handle sent along
    /// with its id is used only by whoever holds the same table (<see cref="Grains.CoEngagedWith"/>).
    /// </summary>
    public long Table { get; } = Random.Shared.NextInt64(1, long.MaxValue);

    /// <summary>
    /// The handle of <paramref name="id"/>: <paramref name="handle"/> when this table gave it (numbers are
    /// never reused, so it is still that id's), else looked up. Under ingest each positive interaction
    /// sends its video to ~20 partners; looking each up again was ~6 % of the silo's CPU (perf).
    /// </summary>
    public int Of(string id, int handle, long table) =>
        table == Table && (uint)handle < (uint)Count ? handle : Of(id);

    public int Of(string id)
    {
        if (_handles.TryGetValue(id, out var handle)) return handle;
        lock (_lock)
        {
            if (_handles.TryGetValue(id, out handle)) return handle;
            handle = _count;
            var ids = _ids;
            if (handle == ids.Length)
            {
                Array.Resize(ref ids, ids.Length * 2);
                Volatile.Write(ref _ids, ids); // published before the handle, so whoever reads the handle finds its id
            }
            ids[handle] = id;
            Volatile.Write(ref _count, handle + 1);
            _handles[id] = handle;
            return handle;
        }
    }

    /// <summary>The handle of <paramref name="id"/> if it has one, without giving it one.</summary>
    public bool TryGet(string id, out int handle) => _handles.TryGetValue(id, out handle);

    public string IdOf(int handle) => Volatile.Read(ref _ids)[handle];
}
