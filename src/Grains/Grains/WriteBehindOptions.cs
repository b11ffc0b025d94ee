namespace OrleansTok.Grains;

/// <summary>
/// How fast a silo writes its grains' write-behind state (configuration section <c>WriteBehind</c>):
/// users' state and videos' learned state and co-engagement pairs. Interactions are durable in the
/// journal before they are acknowledged, so these writes only bound what a crash can lose.
/// </summary>
public sealed class WriteBehindOptions
{
    public const string Section = "WriteBehind";

    /// <summary>
    /// A user's state is written at most this often while active (and on deactivation). A lost write
    /// only means a longer replay of the user's own records on its next activation. Each write is a
    /// row (~2.9 KB stored) and a commit: at 10 s, active users' rows were most of the storage
    /// table's updates under durable ingest once creators stopped writing theirs.
    /// </summary>
    public TimeSpan UserDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A video's own state, likewise. Its counters are committed by the journal appliers, so the
    /// state holds only what it learned (embedding, impressions) besides metadata and status, which
    /// are written at once: a crash loses learning, never a counted interaction.
    /// </summary>
    public TimeSpan VideoDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A video's co-engagement pairs: derived data and up to 1,000 pairs (~30 KB) per video. Every
    /// 5 s cost a fifth of the silo's CPU under random ingest over 10,000 videos.
    /// </summary>
    public TimeSpan NeighboursDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Write-behind writes one silo starts a second (0: unbounded). Without a bound every grain
    /// touched within its delay writes once per delay however few events it saw: ~1,670 writes a
    /// second at 20,000 active videos and users, which held durable ingest at a third of the raw
    /// INSERT rate (docs/benchmarks.md, round 28). With it, a write that finds the budget spent is
    /// put off, and PostgreSQL's write load follows this figure rather than the number of active
    /// grains. Each silo has its own budget: a cluster writes up to silos × this.
    /// </summary>
    public int WritesPerSecond { get; set; } = 250;

    /// <summary>
    /// Longest a write is put off for the budget, from the change that asked for it; then it is
    /// written whatever the budget says. This is what a crash can lose of a video's learning and
    /// pairs, and how far back a user replays its journal: it must stay well inside
    /// <c>Journal:Retention</c>, which keeps the records that replay needs.
    /// </summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(5);
}
