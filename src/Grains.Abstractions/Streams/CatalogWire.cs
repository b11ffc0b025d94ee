using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using OrleansTok.Model;

namespace OrleansTok.Streams;

/// <summary>
/// The catalog stream's own encoding of a <see cref="CatalogUpdates"/> batch: one byte array.
/// </summary>
/// <remarks>
/// <para>
/// Under ingest a silo sends thousands of updates per partition every window, and the memory stream
/// serializes each batch into its queue and back out. Orleans' serializer tracks every object of a
/// message for identity (each update, entry, string, embedding and dictionary); past 64 of them it
/// grows a pair of dictionaries to tens of thousands of entries per batch and drops them after.
/// Those dictionaries were ~12 % of all the bytes a silo allocated under embedded ingest
/// (dotnet-trace allocation ticks), and the batches' bytes were copied twice more by the queue.
/// This form holds no object identity (updates never share objects that matter) and is about a
/// third smaller: strings as UTF-8, an embedding as raw little-endian floats, integers as varints.
/// </para>
/// <para>
/// Layout: a format byte (<see cref="Format"/>), the count of updates, then each update as its
/// byte length and its fields. A reader skips what is left of an update after the fields it knows,
/// so a later format may append fields to an update without breaking readers of this one; any other
/// change takes a new format byte, which readers of this one refuse.
/// </para>
/// </remarks>
public static class CatalogWire
{
    public const byte Format = 1;

    private const byte HasEntry = 1;
    private const byte HasPopularity = 2;
    private const byte HasStats = 4;

    public static byte[] Encode(IReadOnlyList<CatalogUpdate> updates)
    {
        var writer = new Writer(64 + updates.Count * 192);
        try
        {
            writer.Byte(Format);
            writer.VarUInt((uint)updates.Count);
            foreach (var update in updates)
            {
                // The update's length is written in front of it once known: a varint of the largest width reserved.
                var lengthAt = writer.Reserve(5);
                var start = writer.Position;
                WriteUpdate(ref writer, update);
                writer.PatchVarUInt5(lengthAt, (uint)(writer.Position - start));
            }
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    public static List<CatalogUpdate> Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes);
        var format = reader.Byte();
        if (format != Format) throw new InvalidDataException($"Catalog updates in format {format}; this build reads format {Format}.");
        var count = reader.Count();
        var updates = new List<CatalogUpdate>(count);
        for (var i = 0; i < count; i++)
        {
            var length = checked((int)reader.VarUInt());
            var record = new Reader(reader.Take(length));
            updates.Add(ReadUpdate(ref record)); // fields a later format appended stay unread
        }
        if (!reader.AtEnd) throw new InvalidDataException("Catalog updates: bytes after the last update.");
        return updates;
    }

    private static void WriteUpdate(ref Writer w, CatalogUpdate update)
    {
        w.Byte((byte)update.Change);
        w.String(update.VideoId);
        w.DateTimeOffset(update.At);
        w.Byte((byte)((update.Entry is null ? 0 : HasEntry) | (update.PopularityByCountry is null ? 0 : HasPopularity) | (update.Stats is null ? 0 : HasStats)));
        if (update.Entry is { } e)
        {
            w.String(e.VideoId);
            w.String(e.CreatorId);
            w.String(e.SoundId);
            w.VarUInt((uint)e.Hashtags.Count);
            foreach (var tag in e.Hashtags) w.String(tag);
            w.String(e.Caption);
            w.String(e.Language);
            w.VarInt(e.DurationMs);
            w.DateTimeOffset(e.UploadedAt);
            WriteStats(ref w, e.Embedding, e.Quality, e.Views, e.Positives);
        }
        if (update.PopularityByCountry is { } popularity)
        {
            w.VarUInt((uint)popularity.Count);
            foreach (var (country, gain) in popularity)
            {
                w.String(country);
                w.Single(gain);
            }
        }
        if (update.Stats is { } stats) WriteStats(ref w, stats.Embedding, stats.Quality, stats.Views, stats.Positives);
    }

    private static void WriteStats(ref Writer w, float[] embedding, float quality, long views, long positives)
    {
        w.VarUInt((uint)embedding.Length);
        foreach (var x in embedding) w.Single(x);
        w.Single(quality);
        w.VarLong(views);
        w.VarLong(positives);
    }

    private static CatalogStats ReadStats(ref Reader r)
    {
        var embedding = new float[r.Count()];
        for (var i = 0; i < embedding.Length; i++) embedding[i] = r.Single();
        return new CatalogStats(embedding, r.Single(), r.VarLong(), r.VarLong());
    }

    private static CatalogUpdate ReadUpdate(ref Reader r)
    {
        var change = (CatalogChange)r.Byte();
        var videoId = r.Required();
        var at = r.DateTimeOffset();
        var flags = r.Byte();
        CatalogEntry? entry = null;
        if ((flags & HasEntry) != 0)
        {
            var id = r.Required();
            var creator = r.Required();
            var sound = r.Required();
            var hashtags = new string[r.Count()];
            for (var i = 0; i < hashtags.Length; i++) hashtags[i] = r.Required();
            var caption = r.Required();
            var language = r.Required();
            var durationMs = r.VarInt();
            var uploadedAt = r.DateTimeOffset();
            var stats = ReadStats(ref r);
            entry = new CatalogEntry(id, creator, sound, hashtags, caption, language, durationMs, uploadedAt, stats.Embedding,
                stats.Quality, stats.Views, stats.Positives);
        }
        Dictionary<string, float>? popularity = null;
        if ((flags & HasPopularity) != 0)
        {
            var count = r.Count();
            popularity = new Dictionary<string, float>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++) popularity[r.Required()] = r.Single();
        }
        var refreshed = (flags & HasStats) != 0 ? ReadStats(ref r) : null;
        return new CatalogUpdate(change, videoId, entry, popularity, at, refreshed);
    }

    /// <summary>
    /// Writes into a rented buffer: a batch of thousands of updates needs hundreds of kilobytes, which
    /// allocated fresh every window per partition would land on the large-object heap each time.
    /// </summary>
    private ref struct Writer(int capacity)
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(capacity);

        public int Position { get; private set; }

        public void Byte(byte value) => Span(1)[0] = value;

        public void Single(float value) => BinaryPrimitives.WriteSingleLittleEndian(Span(4), value);

        public void VarUInt(uint value) => VarULong(value);

        public void VarInt(int value) => VarULong((uint)((value << 1) ^ (value >> 31)));

        public void VarLong(long value) => VarULong((ulong)((value << 1) ^ (value >> 63)));

        public void DateTimeOffset(DateTimeOffset value)
        {
            VarLong(value.UtcTicks);
            VarInt((int)value.Offset.TotalMinutes);
        }

        /// <summary>Length + 1, then UTF-8; 0 is null.</summary>
        public void String(string? value)
        {
            if (value is null)
            {
                Byte(0);
                return;
            }
            var length = Encoding.UTF8.GetByteCount(value);
            VarUInt((uint)length + 1);
            Encoding.UTF8.GetBytes(value, Span(length));
        }

        public int Reserve(int bytes)
        {
            var at = Position;
            Span(bytes);
            return at;
        }

        /// <summary>Writes <paramref name="value"/> at <paramref name="at"/> as a varint padded to five bytes.</summary>
        public readonly void PatchVarUInt5(int at, uint value)
        {
            for (var i = 0; i < 4; i++, value >>= 7) _buffer[at + i] = (byte)(value & 0x7F | 0x80);
            _buffer[at + 4] = (byte)value;
        }

        public readonly byte[] ToArray() => _buffer.AsSpan(0, Position).ToArray();

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        private void VarULong(ulong value)
        {
            while (value >= 0x80)
            {
                Byte((byte)(value | 0x80));
                value >>= 7;
            }
            Byte((byte)value);
        }

        private void Grow(int needed)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, needed));
            _buffer.AsSpan(0, Position).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        private Span<byte> Span(int length)
        {
            if (Position + length > _buffer.Length) Grow(Position + length);
            var span = _buffer.AsSpan(Position, length);
            Position += length;
            return span;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public readonly bool AtEnd => _rest.IsEmpty;

        public byte Byte() => Take(1)[0];

        public float Single() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

        public int VarInt()
        {
            var raw = (uint)VarULong(5);
            return (int)(raw >> 1) ^ -(int)(raw & 1);
        }

        public long VarLong()
        {
            var raw = VarULong(10);
            return (long)(raw >> 1) ^ -(long)(raw & 1);
        }

        public uint VarUInt() => checked((uint)VarULong(5));

        /// <summary>A count of items that follow, each at least a byte: larger than what is left is corrupt, not an allocation to attempt.</summary>
        public int Count()
        {
            var count = VarUInt();
            if (count > _rest.Length) throw new InvalidDataException($"Catalog updates: a count of {count} with {_rest.Length} bytes left.");
            return (int)count;
        }

        public DateTimeOffset DateTimeOffset()
        {
            var utcTicks = VarLong();
            var offset = TimeSpan.FromMinutes(VarInt());
            return new DateTimeOffset(utcTicks + offset.Ticks, offset);
        }

        public string Required() => String() ?? throw new InvalidDataException("Catalog updates: a required string is null.");

        public string? String()
        {
            var length = VarUInt();
            return length == 0 ? null : Encoding.UTF8.GetString(Take(checked((int)length - 1)));
        }

        public ReadOnlySpan<byte> Take(int length)
        {
            if ((uint)length > (uint)_rest.Length) throw new InvalidDataException($"Catalog updates: {length} bytes expected, {_rest.Length} left.");
            var taken = _rest[..length];
            _rest = _rest[length..];
            return taken;
        }

        private ulong VarULong(int maxBytes)
        {
            ulong value = 0;
            for (var i = 0; i < maxBytes; i++)
            {
                var b = Byte();
                value |= (ulong)(b & 0x7F) << (7 * i);
                if (b < 0x80) return value;
            }
            throw new InvalidDataException("Catalog updates: a varint too long.");
        }
    }
}
