using OrleansTok.Model;

namespace OrleansTok.Streams;

/// <summary>
/// An interaction as it reaches the video grain. The user grain has already decided what it
/// means (the like/favourite deltas honour "a like is a state", the engagement is signed), and
/// it carries the user's embedding (<see cref="HalfEmbedding"/>) so the video learns from who engaged.
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.VideoSignal")]
public sealed record VideoSignal(
    [property: Id(0)] string EventId,
    [property: Id(1)] string UserId,
    [property: Id(2)] string VideoId,
    [property: Id(3)] InteractionType Type,
    [property: Id(4)] int WatchMs,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] int LikeDelta,
    [property: Id(7)] int FavoriteDelta,
    [property: Id(8)] float Engagement,
    [property: Id(14)] byte[] UserEmbedding,
    [property: Id(10)] string UserCountry,
    [property: Id(11)] bool Counted,
    [property: Id(12)] IReadOnlyList<string>? CoEngaged = null,
    [property: Id(13)] int Impressions = 0)
{
    /// <summary>Impressions of a video gathered in one silo over a short window: served on feed pages this many times.</summary>
    public static VideoSignal ImpressionBatch(string batchId, string videoId, int count, DateTimeOffset at) =>
        new($"imp:{batchId}:{videoId}", "", videoId, InteractionType.View, 0, at, 0, 0, 0f, [], "", Counted: false, Impressions: count);

    /// <summary>
    /// The user's embedding at full precision, as signals carried it before <see cref="UserEmbedding"/>:
    /// journal records waiting at an upgrade still hold it. New signals leave it empty, which a silo
    /// of the earlier version reads as "nothing to learn" rather than failing on a missing vector.
    /// </summary>
    [Id(9)] public float[] FullUserEmbedding { get; init; } = [];

    /// <summary>Writes the user's embedding into <paramref name="into"/>; false if the signal carries none of that size.</summary>
    public bool TryReadUserEmbedding(Span<float> into)
    {
        if (FullUserEmbedding is { Length: > 0 } full && full.Length == into.Length)
        {
            full.CopyTo(into);
            return true;
        }
        // Null in a signal of the earlier shape, which has no field for it.
        if (UserEmbedding is not { Length: > 0 } packed || HalfEmbedding.Dimensions(packed) != into.Length) return false;
        HalfEmbedding.Unpack(packed, into);
        return true;
    }

    /// <summary>
    /// In-process only (no field id: never serialized, so a signal read back from a journal or sent to
    /// another silo has none): the handles of <see cref="CoEngaged"/>, in order, in the video handle
    /// table named by <see cref="CoEngagedTable"/>. A video in that same table uses them instead of
    /// looking up each of the ~20 ids again.
    /// </summary>
    [field: NonSerialized] public int[]? CoEngagedHandles { get; init; }

    /// <summary>The table <see cref="CoEngagedHandles"/> are numbers in; 0 when there are none.</summary>
    [field: NonSerialized] public long CoEngagedTable { get; init; }

    /// <summary>Only impression batches carry a count; an interaction can never pass for one, whatever its event id.</summary>
    public bool IsImpression => Impressions > 0;
}

[GenerateSerializer, Alias("ot.CatalogChange")]
public enum CatalogChange
{
    Upsert = 0,
    Remove = 1,
    /// <summary>
    /// What watching changes (<see cref="CatalogUpdate.Stats"/>) of a video the partition already
    /// holds; a partition that does not hold it ignores it and takes the video's next full entry.
    /// </summary>
    Refresh = 2,
}

/// <summary>
/// A change to one retrieval partition: an entry to add or replace, the refreshed stats of one it
/// holds (either with the popularity gained since the last update, per country), or a video that
/// is no longer eligible.
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.CatalogUpdate")]
public sealed record CatalogUpdate(
    [property: Id(0)] CatalogChange Change,
    [property: Id(1)] string VideoId,
    [property: Id(2)] CatalogEntry? Entry,
    [property: Id(3)] IReadOnlyDictionary<string, float>? PopularityByCountry,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] CatalogStats? Stats = null);

/// <summary>
/// The part of a <see cref="CatalogEntry"/> that watching changes. Under ingest nearly every catalog
/// update is only this: the upload's strings (creator, sound, hashtags, caption, language) travelled
/// with every one of them and were decoded and compared again at the partition.
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.CatalogStats")]
public sealed record CatalogStats(
    [property: Id(0)] float[] Embedding,
    [property: Id(1)] float Quality,
    [property: Id(2)] long Views,
    [property: Id(3)] long Positives)
{
    /// <summary><paramref name="entry"/> with these stats, sharing its upload's strings.</summary>
    public CatalogEntry ApplyTo(CatalogEntry entry) => entry with { Embedding = Embedding, Quality = Quality, Views = Views, Positives = Positives };
}

/// <summary>
/// The catalog changes of one silo's videos for one retrieval partition, gathered over a short
/// window: at most one update per video, its latest entry with the popularity gained since the last.
/// Serialized as one byte array in the catalog stream's own format (<see cref="CatalogWire"/>).
/// </summary>
[Immutable, Alias("ot.CatalogUpdates")]
public sealed record CatalogUpdates(IReadOnlyList<CatalogUpdate> Updates);

/// <summary>How a <see cref="CatalogUpdates"/> batch travels: its updates packed by <see cref="CatalogWire"/>.</summary>
[GenerateSerializer, Immutable, Alias("ot.CatalogUpdates.Packed")]
public readonly record struct PackedCatalogUpdates([property: Id(0)] byte[] Packed);

[RegisterConverter]
public sealed class CatalogUpdatesConverter : IConverter<CatalogUpdates, PackedCatalogUpdates>
{
    public CatalogUpdates ConvertFromSurrogate(in PackedCatalogUpdates surrogate) => new(CatalogWire.Decode(surrogate.Packed));

    public PackedCatalogUpdates ConvertToSurrogate(in CatalogUpdates value) => new(CatalogWire.Encode(value.Updates));
}
