using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

/// <summary>The 8-bit similarity scan answers the float dot product within its stated error, on every kernel this machine has.</summary>
public class QuantizedRowsTests
{
    /// <summary>
    /// Each kernel this machine can run, at dimensions that take every branch of the blocked scans:
    /// a multiple of four pairs (32, 64), a remainder of pairs (40: 20 pairs, 16 + 4; 20: 10 pairs),
    /// and an odd dimension, stored with a zero to complete its last pair (33).
    /// </summary>
    public static TheoryData<int, string> Kernels()
    {
        var data = new TheoryData<int, string>();
        foreach (var kernel in Enum.GetValues<QuantizedRows.Kernel>().Where(QuantizedRows.IsSupported))
        {
            foreach (var dimension in new[] { 16, 20, 32, 33, 40, 64 }) data.Add(dimension, kernel.ToString());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Scores_are_the_dot_products_within_half_a_step_per_value(int dimension, string kernelName)
    {
        var kernel = Enum.Parse<QuantizedRows.Kernel>(kernelName);
        var random = new Random(dimension);
        const int rows = 203; // not a multiple of any vector width
        var matrix = new QuantizedRows(dimension);
        matrix.EnsureCapacity(rows);
        var exact = new float[rows][];
        for (var r = 0; r < rows; r++)
        {
            exact[r] = Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1) * (r % 7 + 1)).ToArray();
            matrix.Set(r, exact[r]);
        }
        var query = Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

        var scores = new float[rows];
        matrix.Scores(query, scores, kernel);

        var queryMax = query.Max(MathF.Abs);
        for (var r = 0; r < rows; r++)
        {
            var rowMax = exact[r].Max(MathF.Abs);
            // Half a step of each row value against the query's magnitudes, plus the query's own (finer) rounding.
            var bound = query.Sum(MathF.Abs) * rowMax / 254f + exact[r].Sum(MathF.Abs) * queryMax / (2 * 16_383f) + 1e-4f;
            var dot = VectorMath.Dot(exact[r], query);
            Assert.True(MathF.Abs(scores[r] - dot) <= bound, $"row {r}: {scores[r]} against {dot} (bound {bound})");
        }
    }

    [Fact]
    public void Zero_non_finite_and_mismatched_rows_score_nothing_and_a_moved_row_scores_as_before()
    {
        var matrix = new QuantizedRows(32);
        matrix.EnsureCapacity(4);
        var row = Enumerable.Range(0, 32).Select(i => i / 32f).ToArray();
        matrix.Set(0, row);
        matrix.Set(1, new float[32]);
        matrix.Set(2, [.. Enumerable.Repeat(float.NaN, 32)]);
        matrix.Set(3, new float[16]);
        var query = Enumerable.Repeat(1f, 32).ToArray();

        var scores = new float[4];
        matrix.Scores(query, scores);
        Assert.Equal(VectorMath.Dot(row, query), scores[0], 1);
        Assert.Equal([0f, 0f, 0f], scores[1..]);

        matrix.Move(0, 3);
        matrix.Scores(query, scores);
        Assert.Equal(scores[0], scores[3]);

        matrix.Scores(new float[32], scores);
        Assert.All(scores, s => Assert.Equal(0f, s));
        Assert.Throws<ArgumentException>(() => matrix.Scores(new float[16], scores));
    }

    /// <remarks>Rows are stored interleaved in blocks of 16: a move from one block into another must carry every value and the scale.</remarks>
    [Fact]
    public void A_row_moved_into_another_block_scores_as_it_did_and_a_grown_matrix_keeps_its_rows()
    {
        var random = new Random(7);
        var matrix = new QuantizedRows(32);
        matrix.EnsureCapacity(20);
        var rows = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, 32).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        for (var r = 0; r < 20; r++) matrix.Set(r, rows[r]);
        matrix.EnsureCapacity(40);
        for (var r = 20; r < 40; r++) matrix.Set(r, rows[r]);
        var query = Enumerable.Range(0, 32).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var before = new float[40];
        matrix.Scores(query, before);

        matrix.Move(35, 2);
        var after = new float[40];
        matrix.Scores(query, after);
        Assert.Equal(before[35], after[2]);
        Assert.Equal(before.Where((_, r) => r != 2), after.Where((_, r) => r != 2));
        Assert.True(MathF.Abs(before[7] - VectorMath.Dot(rows[7], query)) < 0.05f, "a row written before the matrix grew still scores");
    }
}
