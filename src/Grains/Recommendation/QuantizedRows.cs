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
/// <remarks>
/// Rows are stored interleaved in blocks of 16: for each pair of dimensions, the 16 rows' two values
/// side by side (32 bytes). One multiply-add of those 32 values, widened, with the query's pair
/// broadcast gives 16 partial dot products at once, so a block's scores need no horizontal sum.
/// Row after row, the horizontal sums cost more than the multiplications: at 32 dimensions the
/// row-major kernel took ~5.5 ns a row, the blocked one well under 1 (bench/OrleansTok.Bench.Retrieval,
/// "scan only").
/// </remarks>
public sealed class QuantizedRows
{
    /// <summary>Query values are scaled into ±16,383: 8-bit × 15-bit products summed over up to 1,032 values stay inside an int.</summary>
    private const float QueryRange = 16_383f;

    private const int BlockRows = 16;

    /// <summary>The scan's implementations; the widest the machine has is used, the others are kept for machines without it and for tests.</summary>
    internal enum Kernel { Scalar, Avx2, Avx512 }

    private sbyte[] _values = [];
    private float[] _scales = [];

    /// <summary>Values per row as stored: the dimension rounded up to a pair (the odd one out stores zero).</summary>
    private readonly int _paired;

    public QuantizedRows(int dimension)
    {
        Dimension = dimension;
        _paired = (dimension + 1) & ~1;
    }

    public int Dimension { get; }

    /// <summary>Rows the storage holds without growing.</summary>
    public int Capacity => _scales.Length;

    internal static Kernel Best =>
        Avx512BW.IsSupported ? Kernel.Avx512 : Avx2.IsSupported ? Kernel.Avx2 : Kernel.Scalar;

    internal static bool IsSupported(Kernel kernel) => kernel switch
    {
        Kernel.Avx512 => Avx512BW.IsSupported,
        Kernel.Avx2 => Avx2.IsSupported,
        _ => true,
    };

    public void EnsureCapacity(int rows)
    {
        if (rows <= _scales.Length) return;
        var grown = Math.Max(rows, _scales.Length * 2);
        grown = (grown + BlockRows - 1) / BlockRows * BlockRows;
        Array.Resize(ref _values, grown * _paired);
        Array.Resize(ref _scales, grown);
    }

    /// <summary>Where value <paramref name="d"/> of row <paramref name="row"/> is stored.</summary>
    private int At(int row, int d) => (row / BlockRows * _paired * BlockRows) + (d >> 1) * 2 * BlockRows + (row % BlockRows) * 2 + (d & 1);

    /// <summary>Stores <paramref name="row"/> at <paramref name="index"/>; a vector of another length stores zeros (it scores as no similarity).</summary>
    public void Set(int index, ReadOnlySpan<float> row)
    {
        var max = row.Length == Dimension ? MaxAbs(row) : 0f;
        if (max <= 0f || !float.IsFinite(max))
        {
            for (var d = 0; d < _paired; d++) _values[At(index, d)] = 0;
            _scales[index] = 0f;
            return;
        }
        var toInt = 127f / max;
        for (var d = 0; d < _paired; d++) _values[At(index, d)] = d < Dimension ? (sbyte)Math.Round(row[d] * toInt) : (sbyte)0;
        _scales[index] = max / 127f;
    }

    /// <summary>Copies row <paramref name="from"/> over row <paramref name="to"/> (the swap that keeps the matrix dense).</summary>
    public void Move(int from, int to)
    {
        for (var d = 0; d < _paired; d++) _values[At(to, d)] = _values[At(from, d)];
        _scales[to] = _scales[from];
    }

    /// <summary>scores[i] ≈ row i · query for the first scores.Length rows.</summary>
    public void Scores(ReadOnlySpan<float> query, Span<float> scores) => Scores(query, scores, Best);

    internal void Scores(ReadOnlySpan<float> query, Span<float> scores, Kernel kernel)
    {
        if (query.Length != Dimension) throw new ArgumentException($"The query must have {Dimension} values.", nameof(query));
        if (scores.Length > Capacity) throw new ArgumentException("More scores than rows.", nameof(scores));
        if (!IsSupported(kernel)) throw new PlatformNotSupportedException($"This machine has no {kernel} kernel.");
        var max = MaxAbs(query);
        if (max <= 0f || !float.IsFinite(max))
        {
            scores.Clear();
            return;
        }
        // The query's pairs as one int each: (low, high) 16-bit halves, the layout a multiply-add of pairs reads.
        var pairs = _paired / 2;
        Span<int> q = pairs <= 512 ? stackalloc int[pairs] : new int[pairs];
        var toInt = QueryRange / max;
        for (var p = 0; p < pairs; p++)
        {
            var low = (short)Math.Round(query[2 * p] * toInt);
            var high = 2 * p + 1 < Dimension ? (short)Math.Round(query[2 * p + 1] * toInt) : (short)0;
            q[p] = (ushort)low | (high << 16);
        }
        var fromInt = max / QueryRange;
        var full = scores.Length / BlockRows;
        Scan(kernel, 0, full, q, fromInt, scores);
        var rest = scores.Length - full * BlockRows;
        if (rest == 0) return;
        Span<float> tail = stackalloc float[BlockRows];
        Scan(kernel, full, 1, q, fromInt, tail);
        tail[..rest].CopyTo(scores[(full * BlockRows)..]);
    }

    /// <summary>Scores <paramref name="count"/> whole blocks from <paramref name="first"/> into <paramref name="into"/> (16 a block).</summary>
    private void Scan(Kernel kernel, int first, int count, ReadOnlySpan<int> q, float fromInt, Span<float> into)
    {
        if (count == 0) return;
        switch (kernel)
        {
            case Kernel.Avx512: ScanAvx512(first, count, q, fromInt, into); break;
            case Kernel.Avx2: ScanAvx2(first, count, q, fromInt, into); break;
            default: ScanScalar(first, count, q, fromInt, into); break;
        }
    }

    private void ScanScalar(int first, int count, ReadOnlySpan<int> q, float fromInt, Span<float> into)
    {
        for (var b = 0; b < count; b++)
        {
            var values = _values.AsSpan((first + b) * _paired * BlockRows, _paired * BlockRows);
            for (var r = 0; r < BlockRows; r++)
            {
                var sum = 0;
                for (var p = 0; p < q.Length; p++)
                {
                    var at = p * 2 * BlockRows + r * 2;
                    sum += values[at] * (short)q[p] + values[at + 1] * (short)(q[p] >> 16);
                }
                into[b * BlockRows + r] = sum * _scales[(first + b) * BlockRows + r] * fromInt;
            }
        }
    }

    /// <summary>16 rows a step: each pair's 32 bytes widened to shorts, multiplied by the broadcast pair and added pairwise (vpmaddwd).</summary>
    private void ScanAvx512(int first, int count, ReadOnlySpan<int> q, float fromInt, Span<float> into)
    {
        var pairs = q.Length;
        Span<Vector512<short>> query = pairs <= 64 ? stackalloc Vector512<short>[pairs] : new Vector512<short>[pairs];
        for (var p = 0; p < pairs; p++) query[p] = Vector512.Create(q[p]).AsInt16();
        ref var broadcast = ref MemoryMarshal.GetReference(query);
        ref var values = ref BlockValues(first);
        ref var scales = ref BlockScales(first);
        ref var output = ref MemoryMarshal.GetReference(into);
        var unit = Vector512.Create(fromInt);
        var stride = _paired * BlockRows;
        for (var b = 0; b < count; b++)
        {
            // Four accumulators and moving references: indexing each load from its pair cost more
            // address arithmetic than the multiply-adds themselves.
            ref var value = ref Unsafe.Add(ref values, b * stride);
            ref var pair = ref broadcast;
            Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
            var p = 0;
            for (; p + 4 <= pairs; p += 4)
            {
                a0 += Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref value)), pair);
                a1 += Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref value, 32)), Unsafe.Add(ref pair, 1));
                a2 += Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref value, 64)), Unsafe.Add(ref pair, 2));
                a3 += Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref value, 96)), Unsafe.Add(ref pair, 3));
                value = ref Unsafe.Add(ref value, 128);
                pair = ref Unsafe.Add(ref pair, 4);
            }
            for (; p < pairs; p++)
            {
                a0 += Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref value)), pair);
                value = ref Unsafe.Add(ref value, 32);
                pair = ref Unsafe.Add(ref pair, 1);
            }
            var at = (nuint)(b * BlockRows);
            (Avx512F.ConvertToVector512Single(a0 + a1 + (a2 + a3)) * Vector512.LoadUnsafe(ref scales, at) * unit).StoreUnsafe(ref output, at);
        }
    }

    /// <summary>The same as <see cref="ScanAvx512"/> in two halves of 8 rows.</summary>
    private void ScanAvx2(int first, int count, ReadOnlySpan<int> q, float fromInt, Span<float> into)
    {
        var pairs = q.Length;
        Span<Vector256<short>> query = pairs <= 64 ? stackalloc Vector256<short>[pairs] : new Vector256<short>[pairs];
        for (var p = 0; p < pairs; p++) query[p] = Vector256.Create(q[p]).AsInt16();
        ref var broadcast = ref MemoryMarshal.GetReference(query);
        ref var values = ref BlockValues(first);
        ref var scales = ref BlockScales(first);
        ref var output = ref MemoryMarshal.GetReference(into);
        var unit = Vector256.Create(fromInt);
        var stride = _paired * BlockRows;
        for (var b = 0; b < count; b++)
        {
            ref var block = ref Unsafe.Add(ref values, b * stride);
            var low = Vector256<int>.Zero;
            var high = Vector256<int>.Zero;
            for (var p = 0; p < pairs; p++)
            {
                var pair = Unsafe.Add(ref broadcast, p);
                low += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref block, (nuint)(p * 32))), pair);
                high += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref block, (nuint)(p * 32 + 16))), pair);
            }
            var at = (nuint)(b * BlockRows);
            (Avx.ConvertToVector256Single(low) * Vector256.LoadUnsafe(ref scales, at) * unit).StoreUnsafe(ref output, at);
            (Avx.ConvertToVector256Single(high) * Vector256.LoadUnsafe(ref scales, at + 8) * unit).StoreUnsafe(ref output, at + 8);
        }
    }

    /// <summary>The first stored value of block <paramref name="block"/> (16 rows × the paired dimension).</summary>
    private ref sbyte BlockValues(int block) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), block * _paired * BlockRows);

    /// <summary>The scale of block <paramref name="block"/>'s first row.</summary>
    private ref float BlockScales(int block) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_scales), block * BlockRows);

    private static float MaxAbs(ReadOnlySpan<float> values)
    {
        var max = 0f;
        foreach (var v in values) max = MathF.Max(max, MathF.Abs(v));
        return max;
    }
}
