using System.Numerics.Tensors;

namespace OrleansTok.Recommendation;

/// <summary>Guarded vector arithmetic: nothing that leaves here is NaN, infinite or longer than allowed.</summary>
public static class VectorMath
{
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        a.Length == b.Length && a.Length > 0 ? TensorPrimitives.Dot(a, b) : 0f;

    public static float Norm(ReadOnlySpan<float> a) => a.Length == 0 ? 0f : TensorPrimitives.Norm(a);

    public static bool AllFinite(ReadOnlySpan<float> a)
    {
        foreach (var x in a)
        {
            if (!float.IsFinite(x)) return false;
        }
        return true;
    }

    /// <summary>Scales <paramref name="a"/> in place so its norm is at most <paramref name="maxNorm"/>.</summary>
    public static void ClipNorm(Span<float> a, float maxNorm)
    {
        var norm = Norm(a);
        if (norm > maxNorm && norm > 0f)
        {
            TensorPrimitives.Multiply(a, maxNorm / norm, a);
        }
    }

    /// <summary>Scales to unit length; a zero vector stays zero.</summary>
    public static void Normalize(Span<float> a)
    {
        var norm = Norm(a);
        if (norm > 1e-12f)
        {
            TensorPrimitives.Divide(a, norm, a);
        }
    }

    /// <summary>a += scale · b.</summary>
    public static void AddScaled(Span<float> a, ReadOnlySpan<float> b, float scale)
    {
        if (a.Length != b.Length) return;
        TensorPrimitives.MultiplyAdd(b, scale, a, a);
    }

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-Math.Clamp(x, -30f, 30f)));
}
