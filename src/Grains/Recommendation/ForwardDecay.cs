namespace OrleansTok.Recommendation;

/// <summary>
/// Exponentially time-decayed counts without touching every counter as time passes (forward decay):
/// an event at time t adds w·2^((t − landmark)/halfLife). Comparing two stored values compares their
/// decayed counts at any instant, and <see cref="ValueAt"/> turns one back into a decayed count.
/// </summary>
public readonly record struct ForwardDecay(DateTimeOffset Landmark, TimeSpan HalfLife)
{
    /// <summary>Past this exponent the landmark must move forward to keep doubles far from overflow.</summary>
    public const double RebaseExponent = 400;

    public double Weight(DateTimeOffset at) => Math.Pow(2, Exponent(at));

    public double Exponent(DateTimeOffset at) => (at - Landmark).TotalSeconds / HalfLife.TotalSeconds;

    public double ValueAt(double stored, DateTimeOffset now) => stored / Weight(now);

    public bool NeedsRebase(DateTimeOffset now) => Exponent(now) > RebaseExponent;
}
