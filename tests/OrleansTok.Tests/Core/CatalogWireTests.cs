using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansTok.Model;
using OrleansTok.Streams;

namespace OrleansTok.Tests.Core;

/// <summary>
/// The catalog stream's encoding (<see cref="CatalogWire"/>): every field of every kind of update
/// comes back as it went, Orleans carries a batch through it, and bytes it cannot trust are refused.
/// </summary>
public class CatalogWireTests
{
    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddSerializer(s => s.AddAssembly(typeof(CatalogUpdates).Assembly))
        .BuildServiceProvider();

    private static readonly DateTimeOffset At = new(2026, 12, 7, 18, 30, 15, 123, TimeSpan.Zero);

    private static CatalogEntry Entry(string id) => new(id, "creator-é", "sound-1", ["dance", "🎵 music", ""], "A caption, with ünïcode ✓", "pt",
        DurationMs: 17_250, UploadedAt: new DateTimeOffset(2026, 11, 30, 9, 15, 0, TimeSpan.FromHours(-3)),
        Embedding: Enumerable.Range(0, 32).Select(i => MathF.Sin(i) * 0.37f).Append(float.Epsilon).Append(-0f).ToArray(),
        Quality: 0.4231f, Views: 9_876_543_210L, Positives: 42);

    private static List<CatalogUpdate> Batch() =>
    [
        new(CatalogChange.Upsert, "v1", Entry("v1"), new Dictionary<string, float> { ["US"] = 1.5f, ["BR"] = 0.25f }, At),
        new(CatalogChange.Upsert, "v2", Entry("v2") with { Hashtags = [], Caption = "", Views = 0, Positives = -1 }, null, At.AddMilliseconds(7)),
        new(CatalogChange.Remove, "v3", null, null, new DateTimeOffset(2026, 12, 7, 20, 0, 0, TimeSpan.FromMinutes(330))),
        new(CatalogChange.Upsert, "v4", null, new Dictionary<string, float>(), At),
        new(CatalogChange.Refresh, "v5", null, new Dictionary<string, float> { ["JP"] = 0.125f }, At,
            new CatalogStats([0.5f, -0.25f, float.MaxValue], 0.01f, long.MaxValue, long.MinValue)),
    ];

    [Fact]
    public void Every_field_of_every_kind_of_update_reads_back_as_written()
    {
        var batch = Batch();

        var read = CatalogWire.Decode(CatalogWire.Encode(batch));

        Assert.Equal(batch.Count, read.Count);
        for (var i = 0; i < batch.Count; i++) AssertSame(batch[i], read[i]);
    }

    [Fact]
    public void Updates_larger_than_the_first_buffer_grow_it_and_read_back_whole()
    {
        // The writer's buffer is sized for typical updates; one long caption and many hashtags outgrow it.
        var big = Entry("v9") with { Caption = new string('é', 20_000), Hashtags = Enumerable.Range(0, 500).Select(i => $"tag{i}").ToArray() };
        List<CatalogUpdate> batch = [new(CatalogChange.Upsert, "v9", big, null, At), .. Batch()];

        var read = CatalogWire.Decode(CatalogWire.Encode(batch));

        for (var i = 0; i < batch.Count; i++) AssertSame(batch[i], read[i]);
    }

    [Fact]
    public void Orleans_carries_a_batch_as_one_packed_array()
    {
        var serializer = Services.GetRequiredService<Serializer>();
        var batch = new CatalogUpdates(Batch());

        // As the memory stream carries it: inside a list of events typed as object.
        var bytes = serializer.SerializeToArray(new List<object> { batch });
        var read = (CatalogUpdates)serializer.Deserialize<List<object>>(bytes)!.Single();

        for (var i = 0; i < batch.Updates.Count; i++) AssertSame(batch.Updates[i], read.Updates[i]);
        var packed = CatalogWire.Encode(batch.Updates).Length;
        Assert.InRange(bytes.Length, packed, packed + 64); // the array and a few bytes of framing
        // Smaller than the same updates written field by field by Orleans' codec.
        var fieldByField = serializer.SerializeToArray(new List<object> { batch.Updates.ToList() }).Length;
        Assert.True(packed < fieldByField * 0.75, $"packed {packed} B, field by field {fieldByField} B");
        // Immutable: a call inside the silo passes the batch as it is.
        Assert.Same(batch, Services.GetRequiredService<DeepCopier>().Copy(batch));
    }

    [Fact]
    public void A_reader_skips_fields_a_later_format_appended_to_an_update()
    {
        var bytes = CatalogWire.Encode(Batch()[..1]);
        // Append two bytes to the one update and grow its 5-byte padded length to match.
        byte[] longer = [.. bytes, 0xAB, 0xCD];
        var length = bytes.Length - 7; // format byte, count byte, five length bytes
        longer[2] = (byte)((length + 2) & 0x7F | 0x80);
        longer[3] = (byte)(((length + 2) >> 7) & 0x7F | 0x80);

        var read = CatalogWire.Decode(longer);

        AssertSame(Batch()[0], Assert.Single(read));
    }

    [Fact]
    public void Bytes_it_cannot_trust_are_refused_not_half_read()
    {
        var bytes = CatalogWire.Encode(Batch());

        Assert.Throws<InvalidDataException>(() => CatalogWire.Decode(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<InvalidDataException>(() => CatalogWire.Decode([.. bytes, 0]));
        Assert.Throws<InvalidDataException>(() => CatalogWire.Decode([]));
        var otherFormat = (byte[])bytes.Clone();
        otherFormat[0] = CatalogWire.Format + 1;
        Assert.Throws<InvalidDataException>(() => CatalogWire.Decode(otherFormat));
        // A count far beyond the bytes left is corrupt, not an allocation to attempt.
        Assert.Throws<InvalidDataException>(() => CatalogWire.Decode([CatalogWire.Format, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]));
    }

    private static void AssertSame(CatalogUpdate expected, CatalogUpdate actual)
    {
        Assert.Equal(expected.Change, actual.Change);
        Assert.Equal(expected.VideoId, actual.VideoId);
        Assert.Equal(expected.At, actual.At);
        Assert.Equal(expected.At.Offset, actual.At.Offset);
        Assert.Equal(expected.PopularityByCountry?.OrderBy(p => p.Key), actual.PopularityByCountry?.OrderBy(p => p.Key));
        Assert.Equal(expected.Stats is null, actual.Stats is null);
        if (expected.Stats is { } stats)
        {
            Assert.Equal((stats.Quality, stats.Views, stats.Positives), (actual.Stats!.Quality, actual.Stats.Views, actual.Stats.Positives));
            Assert.Equal(stats.Embedding.Select(BitConverter.SingleToInt32Bits), actual.Stats.Embedding.Select(BitConverter.SingleToInt32Bits));
        }
        if (expected.Entry is null)
        {
            Assert.Null(actual.Entry);
            return;
        }
        var e = expected.Entry;
        var a = actual.Entry!;
        Assert.Equal((e.VideoId, e.CreatorId, e.SoundId, e.Caption, e.Language, e.DurationMs, e.UploadedAt, e.Quality, e.Views, e.Positives),
            (a.VideoId, a.CreatorId, a.SoundId, a.Caption, a.Language, a.DurationMs, a.UploadedAt, a.Quality, a.Views, a.Positives));
        Assert.Equal(e.UploadedAt.Offset, a.UploadedAt.Offset);
        Assert.Equal(e.Hashtags, a.Hashtags);
        // Bit for bit: retrieval scores with these exact numbers.
        Assert.Equal(e.Embedding.Select(BitConverter.SingleToInt32Bits), a.Embedding.Select(BitConverter.SingleToInt32Bits));
    }
}
