using System.Text.RegularExpressions;

namespace OrleansTok.Api.Infrastructure;

/// <summary>Collects field errors for one request; an empty validator means the input is acceptable.</summary>
public sealed partial class Validator
{
    public const int MaxIdLength = 64;
    public const int MaxHashtags = 30;
    public const int MaxHashtagLength = 50;
    public const int MaxCaptionLength = 2200;
    public const int MaxInterests = 20;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public Dictionary<string, string[]> Errors => _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    /// <summary>Ids: 1–64 characters of letters, digits, '-', '_', '.', ':'.</summary>
    public bool Id(string field, string? value)
    {
        if (string.IsNullOrEmpty(value)) Add(field, "is required");
        else if (!IsId(value)) Add(field, $"must be 1-{MaxIdLength} characters of letters, digits, '-', '_', '.' or ':'");
        else return true;
        return false;
    }

    /// <summary>Whether <paramref name="value"/> is an id (<see cref="Id"/>), recording nothing: a caller names the field only when it is not.</summary>
    public static bool IsId(string? value) => !string.IsNullOrEmpty(value) && IdPattern().IsMatch(value);

    public void Language(string field, string? value, bool required = true)
    {
        if (value is null) { if (required) Add(field, "is required"); }
        else if (!LanguagePattern().IsMatch(value)) Add(field, "must be a two-letter lower-case ISO 639-1 code, e.g. \"en\"");
    }

    public void Country(string field, string? value, bool required = true)
    {
        if (value is null) { if (required) Add(field, "is required"); }
        else if (!CountryPattern().IsMatch(value)) Add(field, "must be a two-letter upper-case ISO 3166-1 code, e.g. \"US\"");
    }

    public void Text(string field, string? value, int maxLength, bool required)
    {
        if (value is null) { if (required) Add(field, "is required"); return; }
        if (value.Length > maxLength) Add(field, $"must be at most {maxLength} characters");
        if (value.Any(c => char.IsControl(c) && c != '\n' && c != '\t')) Add(field, "must not contain control characters");
    }

    /// <summary>Hashtags: normalised to lower case without '#', letters, digits and '_' only, no duplicates.</summary>
    public string[] Hashtags(string field, string[]? values, int maxCount)
    {
        if (values is null) return [];
        if (values.Length > maxCount) { Add(field, $"must hold at most {maxCount} items"); return []; }
        var result = new List<string>(values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            var tag = values[i]?.TrimStart('#').ToLowerInvariant();
            if (string.IsNullOrEmpty(tag) || tag.Length > MaxHashtagLength || !HashtagPattern().IsMatch(tag))
            {
                Add($"{field}[{i}]", $"must be 1-{MaxHashtagLength} letters, digits or '_' (an optional leading '#' is dropped)");
                continue;
            }
            if (!result.Contains(tag)) result.Add(tag);
        }
        return [.. result];
    }

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,64}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z]{2}$")]
    private static partial Regex LanguagePattern();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryPattern();

    [GeneratedRegex(@"^[\p{L}\p{N}_]+$")]
    private static partial Regex HashtagPattern();
}
