using OrleansTok.Model;
using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

/// <summary>A user who has learned nothing yet (German, declared interest "dance"), for tests that rank or explain items.</summary>
internal static class RankingContexts
{
    public static RankingContext NewUser(DateTimeOffset now, params string[] following) => new()
    {
        LongTerm = new float[16], Session = new float[16], Settings = new UserSettings("en", "de", "ios", ["dance"]),
        Following = new HashSet<string>(following), Hashtags = TokenWeights.Create(8), Creators = TokenWeights.Create(8),
        Sounds = TokenWeights.Create(8), Now = now,
    };
}
