using System.Globalization;

namespace OrleansTok.Recommendation;

/// <summary>"Why this video": one human sentence per feed item, from the signal that put it there.</summary>
public static class ReasonBuilder
{
    public static string For(ScoredCandidate candidate, RankingContext context)
    {
        var entry = candidate.Entry;
        if (candidate.Recycled) return "you might enjoy this again";
        switch (candidate.Source)
        {
            case "following":
                return $"from @{entry.CreatorId}, whom you follow";
            case "fresh":
                return "new: exploring";
            case "trending":
                return $"popular in {context.Settings.Country.ToUpper(CultureInfo.InvariantCulture)}";
        }

        // Loops, not LINQ: every item of every page gets a reason, and the query's iterators,
        // delegates and closure were ~8 % of what a feed page allocated (docs/benchmarks.md, round 34).
        var hashtags = entry.Hashtags;
        string? tag = null;
        var weight = 0f;
        for (var i = 0; i < hashtags.Count; i++)
        {
            var w = context.Hashtags[hashtags[i]];
            if (tag is null || w > weight) (tag, weight) = (hashtags[i], w); // the first of equals, as a stable sort gives
        }
        if (tag is not null && weight > 0f) return $"because you liked #{tag}";
        if (candidate.Source == "related") return "people who liked what you liked also liked this";
        if (context.Creators[entry.CreatorId] > 0f) return $"because you watched @{entry.CreatorId}";
        for (var i = 0; i < hashtags.Count; i++)
        {
            if (context.Settings.Interests.Contains(hashtags[i])) return $"because you're into #{hashtags[i]}";
        }
        return "similar to videos you watched";
    }
}
