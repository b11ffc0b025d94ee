using System.Globalization;

namespace OrleansTok.Replay;

/// <summary>One rating of the log, in file order.</summary>
public readonly record struct Rating(int User, int Item, float Value, long Timestamp, int Line);

/// <summary>A MovieLens interaction log with item genres, in timestamp order (ties keep file order).</summary>
public sealed class Dataset
{
    public required string Name { get; init; }
    public required IReadOnlyList<Rating> Events { get; init; }
    public required IReadOnlyDictionary<int, string[]> Genres { get; init; }
    public required IReadOnlyDictionary<int, string> Titles { get; init; }
    public required IReadOnlyList<string> Errors { get; init; }

    public int Positives => Events.Count(e => e.Value >= 4);

    /// <summary>Reads <c>u.data</c> (tab-separated, no header) or <c>ratings.csv</c> (comma-separated, header), with optional items.</summary>
    public static Dataset Load(string ratingsPath, string? itemsPath, int? limit)
    {
        var errors = new List<string>();
        var csv = ratingsPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        var events = new List<Rating>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(ratingsPath))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            if (csv && lineNumber == 1 && line.StartsWith("userId", StringComparison.OrdinalIgnoreCase)) continue;
            var parts = line.Split(csv ? ',' : '\t');
            if (parts.Length < 4
                || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var user)
                || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var item)
                || !float.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                || !long.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var timestamp)
                || !float.IsFinite(value))
            {
                errors.Add($"{ratingsPath}:{lineNumber}: malformed rating line: \"{Truncate(line)}\"");
                continue;
            }
            events.Add(new Rating(user, item, value, timestamp, lineNumber));
        }
        // Stable sort: ties keep file order.
        var ordered = events.OrderBy(e => e.Timestamp).ThenBy(e => e.Line).ToList();
        if (limit is { } n && n < ordered.Count) ordered = ordered.GetRange(0, n);

        var genres = new Dictionary<int, string[]>();
        var titles = new Dictionary<int, string>();
        if (itemsPath is not null) LoadItems(itemsPath, genres, titles, errors);

        return new Dataset
        {
            Name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(ratingsPath))) ?? ratingsPath,
            Events = ordered,
            Genres = genres,
            Titles = titles,
            Errors = errors,
        };
    }

    private static readonly string[] MovieLens100kGenres =
    [
        "unknown", "action", "adventure", "animation", "childrens", "comedy", "crime", "documentary", "drama", "fantasy",
        "film_noir", "horror", "musical", "mystery", "romance", "sci_fi", "thriller", "war", "western",
    ];

    private static void LoadItems(string path, Dictionary<int, string[]> genres, Dictionary<int, string> titles, List<string> errors)
    {
        var csv = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, System.Text.Encoding.Latin1))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            if (csv)
            {
                if (lineNumber == 1 && line.StartsWith("movieId", StringComparison.OrdinalIgnoreCase)) continue;
                // movieId,title,genres — the title may be quoted and contain commas.
                var first = line.IndexOf(',', StringComparison.Ordinal);
                var last = line.LastIndexOf(',');
                if (first < 0 || last <= first || !int.TryParse(line.AsSpan(0, first), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                {
                    errors.Add($"{path}:{lineNumber}: malformed movie line: \"{Truncate(line)}\"");
                    continue;
                }
                titles[id] = line[(first + 1)..last].Trim('"');
                genres[id] = line[(last + 1)..].Split('|').Where(g => g != "(no genres listed)").Select(Hashtag).Where(g => g.Length > 0).ToArray();
            }
            else
            {
                var parts = line.Split('|');
                if (parts.Length < 5 + MovieLens100kGenres.Length || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                {
                    errors.Add($"{path}:{lineNumber}: malformed item line: \"{Truncate(line)}\"");
                    continue;
                }
                titles[id] = parts[1];
                genres[id] = MovieLens100kGenres.Where((_, g) => parts[5 + g] == "1").ToArray();
            }
        }
    }

    /// <summary>"Sci-Fi" → "sci_fi", "Children's" → "childrens": genres as valid hashtags.</summary>
    public static string Hashtag(string genre) =>
        new(genre.ToLowerInvariant().Replace('-', '_').Replace(' ', '_').Where(c => char.IsLetterOrDigit(c) || c == '_').ToArray());

    private static string Truncate(string line) => line.Length <= 80 ? line : line[..80] + "…";
}
