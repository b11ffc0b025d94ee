namespace OrleansTok.Recommendation;

/// <summary>
/// Deterministic content vectors: every hashtag, sound and creator gets its own pseudo-random unit
/// vector derived from its name (collision-free in practice at 64-bit seeds). A brand-new video's
/// embedding is the weighted sum of its tokens', so it can be recommended before anyone watched it,
/// and a new user's declared interests place them in the same space.
/// </summary>
public static class ContentEmbedding
{
    private const float HashtagWeight = 1.0f;
    private const float SoundWeight = 0.35f;
    private const float CreatorWeight = 0.35f;

    public static float[] TokenVector(string kind, string token, int dimension)
    {
        var vector = new float[dimension];
        var state = IdHash.Of($"{kind}:{token}") | 1UL;
        for (var i = 0; i < dimension; i++)
        {
            // xorshift64*: fast, deterministic, good enough for random projections.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            var bits = state * 2685821657736338717UL;
            vector[i] = (float)((bits >> 11) * (1.0 / (1UL << 53)) * 2.0 - 1.0);
        }
        VectorMath.Normalize(vector);
        return vector;
    }

    public static float[] ForVideo(IReadOnlyList<string> hashtags, string soundId, string creatorId, int dimension)
    {
        var vector = new float[dimension];
        foreach (var tag in hashtags)
        {
            VectorMath.AddScaled(vector, TokenVector("tag", tag, dimension), HashtagWeight);
        }
        VectorMath.AddScaled(vector, TokenVector("sound", soundId, dimension), SoundWeight);
        VectorMath.AddScaled(vector, TokenVector("creator", creatorId, dimension), CreatorWeight);
        VectorMath.Normalize(vector);
        return vector;
    }

    /// <summary>A new user's starting point: the mean direction of their declared interests, scaled down.</summary>
    public static float[] ForInterests(IReadOnlyList<string> interests, int dimension)
    {
        var vector = new float[dimension];
        foreach (var tag in interests)
        {
            VectorMath.AddScaled(vector, TokenVector("tag", tag, dimension), 1f);
        }
        VectorMath.Normalize(vector);
        // Half length: declared interests are a hint that real engagement quickly outweighs.
        for (var i = 0; i < vector.Length; i++) vector[i] *= 0.5f;
        return vector;
    }
}
