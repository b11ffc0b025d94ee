using Microsoft.Extensions.Options;
using OrleansTok.Telemetry;

namespace OrleansTok.Grains;

/// <summary>
/// The silo's budget of write-behind writes: a token bucket refilled at
/// <see cref="WriteBehindOptions.WritesPerSecond"/> and holding at most one second's worth. A grain
/// whose write finds it empty tries again later, unless the write has waited
/// <see cref="WriteBehindOptions.MaxDelay"/> already: that one goes ahead and is charged anyway, so
/// overdue writes leave less room for the next ones rather than adding to the rate.
/// </summary>
public sealed class WriteBudget
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly double _rate;
    private double _tokens;
    private DateTimeOffset _refilledAt;

    public WriteBudget(IOptions<WriteBehindOptions> options, TimeProvider time)
    {
        _time = time;
        Options = options.Value;
        _rate = Options.WritesPerSecond;
        _tokens = _rate;
        _refilledAt = time.GetUtcNow();
    }

    /// <summary>The delays and budget the silo was configured with.</summary>
    public WriteBehindOptions Options { get; }

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Whether a write asked for at <paramref name="since"/> may go now; if not, the caller tries again later.</summary>
    public bool TryAdmit(DateTimeOffset since)
    {
        if (_rate <= 0) return true;
        var now = _time.GetUtcNow();
        var overdue = now - since >= Options.MaxDelay;
        string outcome;
        lock (_lock)
        {
            var tokens = Math.Min(_rate, _tokens + (now - _refilledAt).TotalSeconds * _rate);
            _refilledAt = now;
            if (tokens >= 1 || overdue)
            {
                // In debt by at most a second's worth: a burst of overdue writes delays the budgeted
                // ones for that long, not for as long as the burst was.
                _tokens = Math.Max(-_rate, tokens - 1);
                outcome = tokens >= 1 ? "admitted" : "overdue";
            }
            else
            {
                _tokens = tokens;
                outcome = "deferred";
            }
        }
        OrleansTokMetrics.WriteBehind(outcome);
        return outcome != "deferred";
    }

    /// <summary>
    /// When to try again a write asked for at <paramref name="since"/> that the budget put off, about
    /// <paramref name="delay"/> from now (spread, so writes put off together do not come back together)
    /// and never past its deadline.
    /// </summary>
    public TimeSpan RetryAfter(DateTimeOffset since, TimeSpan delay)
    {
        var spread = delay * (0.5 + Random.Shared.NextDouble());
        var untilDeadline = since + Options.MaxDelay - _time.GetUtcNow();
        return untilDeadline < spread ? (untilDeadline > TimeSpan.Zero ? untilDeadline : TimeSpan.Zero) : spread;
    }
}
