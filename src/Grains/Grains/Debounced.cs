namespace OrleansTok.Grains;

/// <summary>Delays for <see cref="Debounced{TGrain}"/>.</summary>
internal static class Debounced
{
    /// <summary>
    /// For state in the embedded default's memory storage: a write there survives a deactivation,
    /// which writes anyway, and nothing survives the process. Writing on a timer only copied state
    /// (a video's co-engagement pairs once a minute were ~12 % of the grains' work under ingest, dotnet-trace).
    /// </summary>
    public static readonly TimeSpan OnDeactivationOnly = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Whether a deactivation has nothing worth writing: embedded state dies with the process, so a
    /// silo that stops skips the write (and its memory storage grains may already be gone).
    /// </summary>
    public static bool NothingToWrite(DeactivationReason reason, bool durable) =>
        reason.ReasonCode == DeactivationReasonCode.ShuttingDown && !durable;
}

/// <summary>
/// Runs an action once, a fixed delay after the first request since it last ran: many changes in a
/// burst cost one catalog update or one storage write. The timer does not keep the grain alive;
/// grains flush on deactivation too. A delay of <see cref="Debounced.OnDeactivationOnly"/> never starts a
/// timer: the action runs only when the grain calls <see cref="RunAsync"/>, on deactivation.
/// With a <see cref="WriteBudget"/>, a timer that finds the silo's budget spent tries again later
/// (at most until the budget's deadline); <see cref="RunAsync"/> itself never waits for the budget.
/// The action takes the grain, so grains pass a static lambda: one delegate per grain class rather
/// than one per activation (64 B of every activated video, twice).
/// </summary>
internal sealed class Debounced<TGrain>(TGrain grain, TimeSpan delay, Func<TGrain, Task> action, WriteBudget? budget = null) where TGrain : IGrainBase
{
    private IGrainTimer? _timer;
    /// <summary>When the pending run was first asked for (UTC ticks): the budget's deadline counts from it.</summary>
    private long _since;

    public void Schedule()
    {
        if (_timer is not null || delay == Debounced.OnDeactivationOnly) return;
        if (budget is not null) _since = budget.Now.UtcTicks;
        _timer = grain.RegisterGrainTimer(
            static (self, _) => self.FireAsync(), this,
            new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { KeepAlive = false });
    }

    private Task FireAsync()
    {
        if (budget is null) return RunAsync();
        var since = new DateTimeOffset(_since, TimeSpan.Zero);
        if (budget.TryAdmit(since)) return RunAsync();
        _timer?.Change(budget.RetryAfter(since, delay), Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public Task RunAsync()
    {
        _timer?.Dispose();
        _timer = null;
        return action(grain);
    }
}
