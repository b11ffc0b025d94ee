using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansTok.Grains;
using OrleansTok.Hosting;

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

/// <summary>A silo refuses write-behind settings under which a crashed user could not replay what its lost writes held.</summary>
public class WriteBehindOptionsTests
{
    private static WriteBehindOptions Resolve(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.AddOrleansTokServices(configuration));
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<WriteBehindOptions>>().Value;
    }

    [Fact]
    public void The_defaults_are_accepted()
    {
        var options = Resolve();
        Assert.Equal((250, TimeSpan.FromMinutes(5)), (options.WritesPerSecond, options.MaxDelay));
    }

    [Fact]
    public void A_deadline_the_journal_does_not_keep_records_for_is_refused()
    {
        var refused = Assert.Throws<OptionsValidationException>(() =>
            Resolve(("WriteBehind:MaxDelay", "00:20:00"), ("Journal:Retention", "01:00:00")));
        Assert.Contains("Journal:Retention", refused.Message);

        Assert.Equal(TimeSpan.FromMinutes(20), Resolve(("WriteBehind:MaxDelay", "00:20:00"), ("Journal:Retention", "02:00:00")).MaxDelay);
    }

    [Fact]
    public void A_negative_budget_is_refused()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Resolve(("WriteBehind:WritesPerSecond", "-1")));
        Assert.Contains("WritesPerSecond", refused.Message);
    }
}
