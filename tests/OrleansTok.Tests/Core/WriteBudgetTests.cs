using OrleansTok.Grains;

namespace OrleansTok.Tests.Core;

/// <summary>The silo's budget of write-behind writes: a second's worth at once, then its rate, and never past a write's deadline.</summary>
public class WriteBudgetTests
{
    private readonly ManualTime _time = new();

    private WriteBudget Budget(int perSecond, TimeSpan? maxDelay = null) =>
        new(Microsoft.Extensions.Options.Options.Create(new WriteBehindOptions { WritesPerSecond = perSecond, MaxDelay = maxDelay ?? TimeSpan.FromMinutes(5) }), _time);

    private static int Admitted(WriteBudget budget, int attempts, DateTimeOffset since) =>
        Enumerable.Range(0, attempts).Count(_ => budget.TryAdmit(since));

    [Fact]
    public void A_seconds_worth_goes_at_once_then_writes_go_at_the_configured_rate()
    {
        var budget = Budget(10);
        Assert.Equal(10, Admitted(budget, 50, _time.Now));

        _time.Now += TimeSpan.FromMilliseconds(300);
        Assert.Equal(3, Admitted(budget, 50, _time.Now));

        // An idle budget fills up to one second's worth, not more.
        _time.Now += TimeSpan.FromMinutes(1);
        Assert.Equal(10, Admitted(budget, 50, _time.Now));
    }

    [Fact]
    public void An_overdue_write_goes_ahead_when_the_budget_is_spent_and_is_charged_for()
    {
        var budget = Budget(2, maxDelay: TimeSpan.FromSeconds(30));
        var fresh = _time.Now;
        var old = _time.Now - TimeSpan.FromSeconds(30);
        Assert.Equal(2, Admitted(budget, 5, fresh));

        Assert.Equal(5, Admitted(budget, 5, old)); // overdue: all go, the budget in debt (at most a second's worth)

        _time.Now += TimeSpan.FromSeconds(1);
        Assert.False(budget.TryAdmit(fresh)); // the debt is paid first
        _time.Now += TimeSpan.FromSeconds(0.5);
        Assert.True(budget.TryAdmit(fresh));
    }

    [Fact]
    public void No_rate_means_no_bound()
    {
        var budget = Budget(0);
        Assert.Equal(10_000, Admitted(budget, 10_000, _time.Now));
    }

    [Fact]
    public void A_write_put_off_tries_again_about_its_delay_later_but_never_past_its_deadline()
    {
        var budget = Budget(1, maxDelay: TimeSpan.FromMinutes(5));
        var delay = TimeSpan.FromSeconds(30);
        var retries = Enumerable.Range(0, 200).Select(_ => budget.RetryAfter(_time.Now, delay)).ToList();
        Assert.All(retries, r => Assert.InRange(r, delay / 2, delay * 1.5));
        Assert.True(retries.Distinct().Count() > 100, "retries are spread, so writes put off together do not return together");

        var nearDeadline = _time.Now - TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(4);
        Assert.All(Enumerable.Range(0, 50), _ => Assert.InRange(budget.RetryAfter(nearDeadline, delay), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4)));
        Assert.Equal(TimeSpan.Zero, budget.RetryAfter(_time.Now - TimeSpan.FromMinutes(6), delay));
    }
}
