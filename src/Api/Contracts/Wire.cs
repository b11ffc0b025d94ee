using OrleansTok.Model;

namespace OrleansTok.Api.Contracts;

/// <summary>The names of enumerations on the wire (snake_case, as the API documents them).</summary>
public static class Wire
{
    public static readonly IReadOnlyDictionary<string, InteractionType> InteractionTypes = new Dictionary<string, InteractionType>(StringComparer.Ordinal)
    {
        ["view"] = InteractionType.View,
        ["like"] = InteractionType.Like,
        ["unlike"] = InteractionType.Unlike,
        ["share"] = InteractionType.Share,
        ["comment"] = InteractionType.Comment,
        ["favorite"] = InteractionType.Favorite,
        ["replay"] = InteractionType.Replay,
        ["skip"] = InteractionType.Skip,
        ["not_interested"] = InteractionType.NotInterested,
        ["hide_creator"] = InteractionType.HideCreator,
        ["hide_sound"] = InteractionType.HideSound,
    };

    public static readonly IReadOnlyDictionary<string, VideoStatus> Statuses = new Dictionary<string, VideoStatus>(StringComparer.Ordinal)
    {
        ["active"] = VideoStatus.Active,
        ["under_review"] = VideoStatus.UnderReview,
        ["removed"] = VideoStatus.Removed,
    };

    public static string Status(VideoStatus status) => Statuses.First(kv => kv.Value == status).Key;
}
