namespace OrleansTok.Grains;

/// <summary>
/// Runs an action once, a fixed delay after the first request since it last ran: many changes in a
/// burst cost one catalog update or one storage write. The timer does not keep the grain alive;
/// grains flush on deactivation too.
/// </summary>
internal sealed class Debounced(IGrainBase grain, TimeSpan delay, Func<Task> action)
{
    private IGrainTimer? _timer;

    public void Schedule()
    {
        if (_timer is not null) return;
        _timer = grain.RegisterGrainTimer(
            _ => RunAsync(),
            new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { KeepAlive = false });
    }

    public Task RunAsync()
    {
        _timer?.Dispose();
        _timer = null;
        return action();
    }
}
