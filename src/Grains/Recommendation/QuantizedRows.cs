using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OrleansTok.Recommendation;

/// <summary>
/// A dense embedding matrix kept as 8-bit integers with one scale per row, for the similarity scan.
/// At 100,000 videos the float matrix was 12.8 MB per scan and the scan ran at the machine's memory
/// bandwidth (~600 µs); a byte per value is a quarter of the traffic. The error of a score is at most
/// ‖query‖₁ · max|row| / 254 (half a step per value), far below the gaps the ranker cares about, and
/// callers re-score what they keep exactly (<see cref="CatalogIndex"/>).
/// </summary>
public sealed class QuantizedRows(int dimension)
{
    /// <summary>Query values are scaled into ±16,383: 8-bit × 15-bit products summed over up to 1,032 values stay inside an int.</summary>
    private const float QueryRange = 16_383f;

    private sbyte[] _values = [];
    private float[] _scales = [];

    public int Dimension { get; } = dimension;

    /// <summary>Rows the storage holds without growing.</summary>
    public int Capacity => _scales.Length;

    public void EnsureCapacity(int rows)
    {
        if (rows <= _scales.Length) return;
        var grown = Math.Max(rows, _scales.Length * 2);
        Array.Resize(ref _values, grown * Dimension);
        Array.Resize(ref _scales, grown);
    }

    /// <summary>Stores <paramref name="row"/> at <paramref name="index"/>; a vector of another length stores zeros (it scores as no similarity).</summary>
    public void Set(int index, ReadOnlySpan<float> row)
    {
        var target = _values.AsSpan(index * Dimension, Dimension);
        var max = row.Length == Dimension ? MaxAbs(row) : 0f;
        if (max <= 0f || !float.IsFinite(max))
        {
            target.Clear();
            _scales[index] = 0f;
            return;
        }
        var toInt = 127f / max;
        for (var i = 0; i < Dimension; i++) target[i] = (sbyte)Math.Round(row[i] * toInt);
        _scales[index] = max / 127f;
    }

    /// <summary>Copies row <paramref name="from"/> over row <paramref name="to"/> (the swap that keeps the matrix dense).</summary>
    public void Move(int from, int to)
    {
        _values.AsSpan(from * Dimension, Dimension).CopyTo(_values.AsSpan(to * Dimension, Dimension));
        _scales[to] = _scales[from];
    }

    /// <summary>scores[i] ≈ row i · query for the first scores.Length rows.</summary>
    public void Scores(ReadOnlySpan<float> query, Span<float> scores)
    {
        if (query.Length != Dimension) throw new ArgumentException($"The query must have {Dimension} values.", nameof(query));
        if (scores.Length > Capacity) throw new ArgumentException("More scores than rows.", nameof(scores));
        var max = MaxAbs(query);
        if (max <= 0f || !float.IsFinite(max))
        {
            scores.Clear();
            return;
        }
        Span<short> q = Dimension <= 1024 ? stackalloc short[Dimension] : new short[Dimension];
        var toInt = QueryRange / max;
        for (var i = 0; i < Dimension; i++) q[i] = (short)Math.Round(query[i] * toInt);
        var fromInt = max / QueryRange;
        if (Avx2.IsSupported && Dimension % 32 == 0) ScoresAvx2(q, fromInt, scores);
        else ScoresScalar(q, fromInt, scores);
    }

    private void ScoresScalar(ReadOnlySpan<short> q, float fromInt, Span<float> scores)
    {
        for (var r = 0; r < scores.Length; r++)
        {
            var row = _values.AsSpan(r * Dimension, Dimension);
            var sum = 0;
            for (var i = 0; i < row.Length; i++) sum += row[i] * q[i];
            scores[r] = sum * _scales[r] * fromInt;
        }
    }

    /// <summary>
    /// 32 values a step: widen 16 bytes to shorts, multiply by the query's shorts and add pairs
    /// (vpmaddwd), twice. Four rows share their horizontal sums (three vphaddd and one add), which a
    /// row at a time cost more than its multiplications.
    /// </summary>
    private void ScoresAvx2(ReadOnlySpan<short> q, float fromInt, Span<float> scores)
    {
        var chunks = Dimension / 32;
        Span<Vector256<short>> query = stackalloc Vector256<short>[2 * chunks];
        for (var c = 0; c < 2 * chunks; c++) query[c] = Vector256.Create(q.Slice(c * 16, 16));
        ref var values = ref MemoryMarshal.GetArrayDataReference(_values);
        ref var scales = ref MemoryMarshal.GetArrayDataReference(_scales);
        ref var output = ref MemoryMarshal.GetReference(scores);
        var unit = Vector128.Create(fromInt);
        var r = 0;
        for (; r + 4 <= scores.Length; r += 4)
        {
            var a0 = Row(ref Unsafe.Add(ref values, r * Dimension), query, chunks);
            var a1 = Row(ref Unsafe.Add(ref values, (r + 1) * Dimension), query, chunks);
            var a2 = Row(ref Unsafe.Add(ref values, (r + 2) * Dimension), query, chunks);
            var a3 = Row(ref Unsafe.Add(ref values, (r + 3) * Dimension), query, chunks);
            var h = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a0, a1), Avx2.HorizontalAdd(a2, a3));
            var sums = Sse2.Add(h.GetLower(), h.GetUpper()); // [row r, r+1, r+2, r+3]
            var f = Sse2.ConvertToVector128Single(sums) * Vector128.LoadUnsafe(ref Unsafe.Add(ref scales, r)) * unit;
            f.StoreUnsafe(ref Unsafe.Add(ref output, r));
        }
        for (; r < scores.Length; r++)
        {
            scores[r] = Vector256.Sum(Row(ref Unsafe.Add(ref values, r * Dimension), query, chunks)) * _scales[r] * fromInt;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Row(ref sbyte row, ReadOnlySpan<Vector256<short>> query, int chunks)
    {
        var acc = Vector256<int>.Zero;
        for (var c = 0; c < chunks; c++)
        {
            var bytes = Vector256.LoadUnsafe(ref row, (nuint)(c * 32));
            acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(bytes.GetLower()), query[2 * c]));
            acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(bytes.GetUpper()), query[2 * c + 1]));
        }
        return acc;
    }

    private static float MaxAbs(ReadOnlySpan<float> values)
    {
        var max = 0f;
        foreach (var v in values) max = MathF.Max(max, MathF.Abs(v));
        return max;
    }
}
