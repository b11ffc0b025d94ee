namespace OrleansTok.Streams;

/// <summary>
/// Stream provider and namespaces. Every consumer subscribes implicitly, keyed by the id of the
/// grain that owns the data, so a publisher never needs to know who listens.
/// </summary>
public static class StreamNames
{
    public const string Provider = "events";

    /// <summary>Catalog changes for one retrieval partition, keyed by partition number.</summary>
    public const string Catalog = "catalog";
}
