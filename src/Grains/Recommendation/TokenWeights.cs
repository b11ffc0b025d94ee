namespace OrleansTok.Recommendation;

/// <summary>
/// Learned weights of named tokens (hashtags, creators, sounds): positive from engagement, negative
/// from "not interested" and skips. Bounded: past the capacity the weakest token is forgotten.
/// These explain a feed ("because you liked #cats") and push down what a user rejected.
/// </summary>
[GenerateSerializer, Alias("ot.TokenWeights")]
public sealed class TokenWeights
{
    [Id(0)] public Dictionary<string, float> Weights { get; private set; } = new(StringComparer.Ordinal);
    [Id(1)] public int Capacity { get; private set; } = 64;

    public static TokenWeights Create(int capacity) => new() { Capacity = capacity };

    public float this[string token] => Weights.TryGetValue(token, out var w) ? w : 0f;

    public void Add(string token, float delta)
    {
        if (!float.IsFinite(delta) || delta == 0f) return;
        var next = Math.Clamp(this[token] + delta, -10f, 10f);
        Weights[token] = next;
        if (Weights.Count > Capacity)
        {
            string? weakest = null;
            var weakestMagnitude = float.MaxValue;
            foreach (var (key, value) in Weights)
            {
                if (MathF.Abs(value) < weakestMagnitude && key != token)
                {
                    weakest = key;
                    weakestMagnitude = MathF.Abs(value);
                }
            }
            if (weakest is not null) Weights.Remove(weakest);
        }
    }

    public IEnumerable<KeyValuePair<string, float>> Top(int count) =>
        Weights.Where(kv => kv.Value > 0f).OrderByDescending(kv => kv.Value).Take(count);

    public void Clear() => Weights.Clear();
}
