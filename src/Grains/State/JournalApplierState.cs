namespace OrleansTok.State;

/// <summary>How far a journal partition has been applied. Written behind: replaying applied batches is harmless.</summary>
[GenerateSerializer, Alias("ot.JournalApplierState")]
public sealed class JournalApplierState
{
    [Id(0)] public long AppliedBatch { get; set; }
    [Id(1)] public long AppliedRecords { get; set; }
}

/// <summary>
/// The last journal batch a consumer applied, per partition. Batches of a partition reach a consumer
/// in order, so a batch at or below the mark is a replay and changes nothing.
/// </summary>
[GenerateSerializer, Alias("ot.JournalMarks")]
public sealed class JournalMarks
{
    /// <summary>Null until the first batch: most videos and creators are activated without one.</summary>
    [Id(0)] public Dictionary<int, long>? Applied { get; set; }

    public bool IsEmpty => Applied is not { Count: > 0 };

    public bool Contains(Model.JournalBatchId batch) => Applied is { } applied && applied.GetValueOrDefault(batch.Partition) >= batch.Batch;

    public void Set(Model.JournalBatchId batch) => (Applied ??= [])[batch.Partition] = batch.Batch;

    /// <summary>Takes the marks of the committed totals (none when no batch was committed): the state's own marks may lag them.</summary>
    public void Restore(IReadOnlyDictionary<int, long>? committed) =>
        Applied = committed is null ? null : new Dictionary<int, long>(committed);
}
