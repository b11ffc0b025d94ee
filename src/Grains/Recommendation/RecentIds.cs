namespace OrleansTok.Recommendation;

/// <summary>
/// A bounded set of recent ids kept as 64-bit fingerprints in a ring: the event-id window for
/// duplicate detection, and the like/favourite states of a user. Lookups are a vectorised scan.
/// </summary>
[GenerateSerializer, Alias("ot.RecentIds")]
public sealed class RecentIds
{
    [Id(0)] public ulong[] Ring { get; private set; } = [];
    [Id(1)] public int Head { get; private set; }

    public static RecentIds Create(int capacity) => new() { Ring = new ulong[capacity] };

    public bool Contains(string id) => Contains(IdHash.Of(id));

    public bool Contains(ulong fingerprint) => Ring.AsSpan().Contains(fingerprint);

    /// <returns>true if the id was not already present.</returns>
    public bool Add(string id)
    {
        var fingerprint = IdHash.Of(id);
        if (Contains(fingerprint)) return false;
        Ring[Head] = fingerprint;
        Head = (Head + 1) % Ring.Length;
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
