using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

/// <summary>The 8-bit similarity scan answers the float dot product within its stated error, on both kernels.</summary>
public class QuantizedRowsTests
{
    [Theory]
    [InlineData(16)]  // scalar kernel
    [InlineData(32)]  // vectorised kernel (one 32-byte step per row)
    [InlineData(64)]  // vectorised kernel, two steps
    [InlineData(40)]  // scalar kernel, a length no vector divides
    public void Scores_are_the_dot_products_within_half_a_step_per_value(int dimension)
    {
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
        matrix.Scores(query, scores);

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
}
