namespace OrleansTok.Model;

/// <summary>
/// What retrieval and ranking know of an eligible video: a snapshot pushed by the video grain
/// whenever its embedding or rates change. Immutable, so it is shared, never deep-copied, in a silo.
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.CatalogEntry")]
public sealed record CatalogEntry(
    [property: Id(0)] string VideoId,
    [property: Id(1)] string CreatorId,
    [property: Id(2)] string SoundId,
    [property: Id(3)] IReadOnlyList<string> Hashtags,
    [property: Id(4)] string Caption,
    [property: Id(5)] string Language,
    [property: Id(6)] int DurationMs,
    [property: Id(7)] DateTimeOffset UploadedAt,
    [property: Id(8)] float[] Embedding,
    [property: Id(9)] float Quality,
    [property: Id(10)] long Views,
    [property: Id(11)] long Positives = 0);
