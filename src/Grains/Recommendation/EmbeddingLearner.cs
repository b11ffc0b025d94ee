namespace OrleansTok.Recommendation;

/// <summary>
/// Online logistic matrix factorisation, one event at a time: a positive engagement pulls the user
/// and video embeddings together, a negative one pushes them apart, weighted by how strong it was.
/// Every update is checked: a step that would produce a non-finite number is dropped, and norms are clipped.
/// </summary>
public static class EmbeddingLearner
{
    /// <summary>Scale inside the sigmoid, so bounded-norm dot products span a useful probability range.</summary>
    private const float Temperature = 3f;

    /// <summary>Updates <paramref name="target"/> towards (or away from) <paramref name="other"/> in place.</summary>
    /// <returns>false if the update was rejected and <paramref name="target"/> left unchanged.</returns>
    public static bool Update(Span<float> target, ReadOnlySpan<float> other, float engagement, float learningRate, float regularization, float maxNorm)
    {
        if (engagement == 0f || target.Length != other.Length || !float.IsFinite(engagement)) return false;
        var label = engagement > 0f ? 1f : 0f;
        var weight = Math.Min(MathF.Abs(engagement), 2f);
        var p = VectorMath.Sigmoid(Temperature * VectorMath.Dot(target, other));
        var gradient = weight * (label - p);

        Span<float> next = target.Length <= 256 ? stackalloc float[target.Length] : new float[target.Length];
        for (var i = 0; i < next.Length; i++)
        {
            next[i] = target[i] + learningRate * (gradient * other[i] - regularization * target[i]);
        }
        if (!VectorMath.AllFinite(next)) return false;
        VectorMath.ClipNorm(next, maxNorm);
        next.CopyTo(target);
        return true;
    }

    /// <summary>Short-term interest: an exponential moving average of engaged (or rejected) video embeddings.</summary>
    public static void UpdateSession(Span<float> session, ReadOnlySpan<float> video, float engagement, float decay, float maxNorm)
    {
        if (engagement == 0f || session.Length != video.Length || !float.IsFinite(engagement)) return;
        var step = Math.Clamp(engagement, -2f, 2f) * (1f - decay);
        for (var i = 0; i < session.Length; i++)
        {
            var v = decay * session[i] + step * video[i];
            session[i] = float.IsFinite(v) ? v : 0f;
        }
        VectorMath.ClipNorm(session, maxNorm);
    }
}
