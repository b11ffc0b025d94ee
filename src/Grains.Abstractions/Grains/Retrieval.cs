using OrleansTok.Model;

namespace OrleansTok.Grains;

/// <summary>
/// A compact, immutable membership filter of the videos a user has already been served or watched.
/// Bloom filters, the current generation and the previous one: no false negatives, so a seen video
/// is never served as unseen; a rare false positive only hides one unseen video.
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.SeenFilter")]
public sealed record SeenFilter(
    [property: Id(0)] ulong[] Bits,
    [property: Id(1)] int HashCount,
    [property: Id(2)] ulong[]? Previous = null);

/// <summary>One user's request to a retrieval partition for candidates from every source at once.</summary>
[GenerateSerializer, Immutable, Alias("ot.RetrievalQuery")]
public sealed record RetrievalQuery(
    [property: Id(0)] float[] Interest,
    [property: Id(1)] string Language,
    [property: Id(2)] string Country,
    [property: Id(3)] IReadOnlyCollection<string> Following,
    [property: Id(4)] IReadOnlyCollection<string> HiddenCreators,
    [property: Id(5)] IReadOnlyCollection<string> HiddenSounds,
    [property: Id(6)] SeenFilter? Exclude,
    [property: Id(7)] int PerSource,
    [property: Id(8)] IReadOnlyDictionary<string, float>? Related = null);

/// <summary>
/// A co-engaged neighbour of video j: co(i,j)/√n_j, half of the cosine. The other half, 1/√n_i, is
/// applied by the retrieval partition that owns i, where n_i is always current.
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.Neighbour")]
public sealed record Neighbour(
    [property: Id(0)] string VideoId,
    [property: Id(1)] float Similarity);

/// <summary>
/// A video co-engaged with the receiving one, and its positive count when that was counted.
/// <paramref name="Handle"/> is the video's number in the sending silo's table of video handles,
/// named by <paramref name="Table"/>: a receiver in the same silo uses it instead of looking the id
/// up again; any other receiver (another silo, or the same one restarted) goes by the id.
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.CoEngagedWith")]
public sealed record CoEngagedWith(
    [property: Id(0)] string VideoId,
    [property: Id(1)] long Positives,
    [property: Id(2)] int Handle = -1,
    [property: Id(3)] long Table = 0);

/// <summary>A candidate as a source produced it: the source's own score and the video's trend in the user's country.</summary>
[GenerateSerializer, Immutable, Alias("ot.Candidate")]
public sealed record Candidate(
    [property: Id(0)] CatalogEntry Entry,
    [property: Id(1)] string Source,
    [property: Id(2)] float SourceScore,
    [property: Id(3)] float Trend,
    [property: Id(4)] float Related = 0f);

/// <summary>
/// One partition's answer to a <see cref="RetrievalQuery"/>. Immutable as a whole, so a call inside
/// a silo hands the list over as it is, where a plain list result is copied element by element.
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.CandidateBatch")]
public sealed record CandidateBatch(
    [property: Id(0)] IReadOnlyList<Candidate> Candidates);

[GenerateSerializer, Immutable, Alias("ot.TrendingVideo")]
public sealed record TrendingVideo(
    [property: Id(0)] CatalogEntry Entry,
    [property: Id(1)] double Score);

/// <summary>
/// A position in one partition's change sequence. The epoch names the partition's activation: a
/// cursor from another activation cannot be resumed and gets a full snapshot.
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.CatalogCursor")]
public sealed record CatalogCursor(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Sequence);

/// <summary>
/// One video as a partition holds it: its entry and forward-decayed popularity, stored relative to
/// <see cref="CatalogChanges.Landmark"/> (a snapshot copy, never the partition's live values).
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.CatalogRow")]
public sealed record CatalogRow(
    [property: Id(0)] CatalogEntry Entry,
    [property: Id(1)] double Global,
    [property: Id(2)] IReadOnlyDictionary<string, double> ByCountry);

/// <summary>
/// A partition's changes since a cursor: the videos added or changed (with their current values,
/// not increments) and the ids removed; or, when <see cref="Full"/>, its whole content, which
/// replaces whatever the reader held for that partition.
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.CatalogChanges")]
public sealed record CatalogChanges(
    [property: Id(0)] CatalogCursor Cursor,
    [property: Id(1)] bool Full,
    [property: Id(2)] DateTimeOffset Landmark,
    [property: Id(3)] IReadOnlyList<CatalogRow> Changed,
    [property: Id(4)] IReadOnlyList<string> Removed);
