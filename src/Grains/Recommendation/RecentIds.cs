namespace OrleansTok.Recommendation;

/// <summary>
/// A bounded set of recent ids kept as 64-bit fingerprints in a ring: the event-id window for
/// duplicate detection, and the like/favourite states of a user. Lookups are a vectorised scan.
/// The ring starts empty and doubles up to its capacity, so a user who has liked three videos
/// carries a few slots' worth of memory, not a thousand, and a video nobody watched yet none (its
/// first eight slots were 88 B of every uploaded video's heap and 64 B of its stored state).
/// </summary>
[GenerateSerializer, Alias("ot.RecentIds")]
public sealed class RecentIds
{
    private const int InitialSlots = 8;

    [Id(0)] public ulong[] Ring { get; private set; } = [];
    [Id(1)] public int Head { get; private set; }

    /// <summary>Most ids kept; 0 in state written before the ring could grow, where the ring's length is the capacity.</summary>
    [Id(2)] public int Capacity { get; private set; }

    public static RecentIds Create(int capacity) => capacity > 0
        ? new() { Ring = [], Capacity = capacity }
        : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a window keeps at least one id");

    private int Limit => Capacity > 0 ? Capacity : Ring.Length;

    public bool Contains(string id) => Contains(IdHash.Of(id));

    public bool Contains(ulong fingerprint) => Ring.AsSpan().Contains(fingerprint);

    /// <returns>true if the id was not already present.</returns>
    public bool Add(string id)
    {
        var fingerprint = IdHash.Of(id);
        if (Contains(fingerprint)) return false;
        if (Head == Ring.Length && Ring.Length < Limit)
        {
            var grown = Ring;
            Array.Resize(ref grown, Math.Min(Limit, Math.Max(InitialSlots, Ring.Length * 2)));
            Ring = grown;
        }
        Ring[Head % Ring.Length] = fingerprint;
        Head = (Head + 1) % Limit;
        return true;
    }

    /// <returns>true if the id was present.</returns>
    public bool Remove(string id)
    {
        var index = Array.IndexOf(Ring, IdHash.Of(id));
        if (index < 0) return false;
        Ring[index] = 0;
        return true;
    }

    public int Count => Ring.Length - Ring.AsSpan().Count(0UL);

    public void Clear()
    {
        Array.Clear(Ring);
        Head = 0;
    }
}
