namespace OrleansTok.Recommendation;

/// <summary>
/// A hash that is the same in every process and every run (string.GetHashCode is not), used for
/// partitioning, content embeddings and fingerprints that are persisted.
/// </summary>
public static class IdHash
{
    public static ulong Of(string value) => Of(value.AsSpan());

    public static ulong Of(ReadOnlySpan<char> value)
    {
        // FNV-1a over UTF-16 code units, then a murmur finaliser for good low bits.
        ulong hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        return Mix(hash);
    }

    public static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }

    public static int Partition(string videoId, int partitions) => (int)(Of(videoId) % (ulong)partitions);
}
