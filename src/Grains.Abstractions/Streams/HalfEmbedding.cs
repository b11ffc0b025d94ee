using System.Buffers.Binary;

namespace OrleansTok.Streams;

/// <summary>
/// An embedding at half precision, two bytes a component, little-endian: how a user's embedding
/// travels with every interaction to the video it teaches and into the durable journal. Orleans
/// writes a float[] at five bytes a component (a tag and four bytes each), 164 B of a 32-dimension
/// vector and the largest part of a journal record; this form is 64 B. Half keeps 11 significant
/// bits, far finer than one learning step moves a component, and the user grain packs the vector
/// before anything uses it, so the live path and a replay learn from the same numbers.
/// </summary>
public static class HalfEmbedding
{
    public static byte[] Pack(ReadOnlySpan<float> vector)
    {
        var packed = new byte[vector.Length * sizeof(ushort)];
        for (var i = 0; i < vector.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(packed.AsSpan(i * sizeof(ushort)), (Half)vector[i]);
        return packed;
    }

    /// <summary>Components in a packed vector.</summary>
    public static int Dimensions(ReadOnlySpan<byte> packed) => packed.Length / sizeof(ushort);

    public static void Unpack(ReadOnlySpan<byte> packed, Span<float> into)
    {
        if (packed.Length != into.Length * sizeof(ushort)) throw new ArgumentException($"{Dimensions(packed)} components packed, {into.Length} expected.", nameof(into));
        for (var i = 0; i < into.Length; i++) into[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(packed[(i * sizeof(ushort))..]);
    }
}
