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

        var (tag, weight) = entry.Hashtags
            .Select(t => (Tag: t, Weight: context.Hashtags[t]))
            .OrderByDescending(x => x.Weight)
            .FirstOrDefault();
        if (tag is not null && weight > 0f) return $"because you liked #{tag}";
        if (candidate.Source == "related") return "people who liked what you liked also liked this";
        if (context.Creators[entry.CreatorId] > 0f) return $"because you watched @{entry.CreatorId}";
        var declared = entry.Hashtags.FirstOrDefault(context.Settings.Interests.Contains);
        if (declared is not null) return $"because you're into #{declared}";
        return "similar to videos you watched";
    }
}
